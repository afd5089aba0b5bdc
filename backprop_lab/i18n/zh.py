"""Simplified Chinese messages: ``{English message: Chinese message}``.

The English text of each :func:`backprop_lab.i18n.tr` call is its key.  Terms follow the
course glossary (``docs/glossary.zh-CN.md``); ``tests/test_i18n.py`` checks that every key is
still a message in the code, that the fields (``{name}``) match, and that no translation uses
a variant the glossary rules out.  Group the entries by the module that says them.
"""

MESSAGES = {
    # backprop_lab.i18n
    "The language must be a string such as \"en\" or \"zh\", not {kind}.":
        "语言须为字符串，例如 \"en\" 或 \"zh\"，而不是 {kind}。",
    "Unknown language {name!r}: choose \"en\" (English) or \"zh\" (Simplified Chinese).":
        "未知的语言 {name!r}：请选择 \"en\"（英文）或 \"zh\"（简体中文）。",
    # backprop_lab.i18n.fonts
    "Chinese labels need the font package noto-cjk-sans-otc, which backprop_lab installs: run "
    "`python3 course.py lab` again, or `pip install noto-cjk-sans-otc`.":
        "显示中文标签需要字体包 noto-cjk-sans-otc（backprop_lab 会自动安装）：请重新运行 "
        "`python3 course.py lab`，或执行 `pip install noto-cjk-sans-otc`。",
    "matplotlib {version} did not find the face {family!r} in {path}; Chinese labels need "
    "matplotlib >= 3.11, which reads font collections.":
        "matplotlib {version} 没有在 {path} 中找到字体 {family!r}；显示中文标签需要能读取字体集合的 "
        "matplotlib >= 3.11。",
}
