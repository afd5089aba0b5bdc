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
    # backprop_lab.practice.questions (checked questions)
    'Predict.':
        '预测：',
    'a shape, e.g. 2x3':
        '形状，例如 2x3',
    'e.g. [1, -2; 3, 0]':
        '例如 [1, -2; 3, 0]',
    'a number':
        '一个数',
    'Check':
        '检查',
    'Show answer':
        '显示答案',
    'available after a try':
        '作答一次之后可用',
    'type an answer first':
        '请先输入答案',
    'pick an answer first':
        '请先选择一个答案',
    'right':
        '正确',
    'not quite':
        '不太对',
    'the sign is flipped.':
        '符号反了。',
    'try again, or Show answer.':
        '再试一次，或者按“显示答案”。',
    'answer:':
        '答案：',
    # backprop_lab.practice.drill (the gradient drill)
    'solved {solved} · streak {streak} (best {best})':
        '已完成 {solved} · 连对 {streak}（最好 {best}）',
    'add and multiply':
        '加法与乘法',
    'max, σ, exp, 1/x, +c, ×a, x²':
        '取最大值、σ、exp、1/x、+c、×a、x²',
    'fan-out: a value used twice':
        '分支：一个值用了两次',
    'a neuron and staged expressions':
        '神经元与分段计算的表达式',
    'vectors and matrices':
        '向量与矩阵',
    'shape {shape}: {value}':
        '形状 {shape}：{value}',
    'shown: {text}':
        '已显示：{text}',
    'check every answer':
        '检查每个答案',
    'Next step':
        '下一步',
    "reveal one gate's backward: upstream × local":
        '展示一个门的反向传播：上游梯度 × 局部梯度',
    'Solution':
        '答案',
    'reveal every gradient':
        '显示所有梯度',
    'New circuit':
        '新线路',
    'another level-{level} circuit':
        '换一条第 {level} 级的计算线路',
    'Gradient drill — level {level}:':
        '梯度练习 —— 第 {level} 级：',
    '(circuit {seed})':
        '（线路 {seed}）',
    'First its shape, then its entries.':
        '先填形状，再填各个元素。',
    'gates:':
        '门：',
    'Fill in the gradient of f on every wire, working back from f (where ∂f/∂f = 1), then press Check.':
        '从 f 开始（那里 ∂f/∂f = 1）往回走，在每条连线上填入 f 的梯度，然后按“检查”。',
    'right shape — now the entries':
        '形状正确 —— 现在填各个元素',
    'Not all right yet: read the hints, fix, and Check again.':
        '还没有全对：读一读提示，改正后再按“检查”。',
    'All right — well done! New circuit for another one.':
        '全部正确 —— 做得好！按“新线路”再来一条。',
    'Step {step} of {steps}: {words}':
        '第 {step} 步（共 {steps} 步）：{words}',
    'Step {step}: {words}':
        '第 {step} 步：{words}',
    'This session:':
        '本次：',
    # backprop_lab.practice.checking (the drill's verdicts)
    '∂f/∂{name} sums what each of the {n} gates using {name} sends back: upstream × local, for each, added up.':
        '∂f/∂{name} 是用到 {name} 的 {n} 个门各自传回的梯度之和：每个门都是上游梯度 × 局部梯度，再累加起来。',
    "∂f/∂{name} = upstream × local: the gradient arriving at the gate that uses {name}, times that gate's local gradient for {name}.":
        '∂f/∂{name} = 上游梯度 × 局部梯度：到达使用 {name} 的那个门的梯度，乘以该门对 {name} 的局部梯度。',
    'no answer yet':
        '还没有作答',
    'could not read the entries of ∂f/∂{name}.':
        '无法读取 ∂f/∂{name} 的元素。',
    '∂f/∂{name} has shape {shape}, not the shape of {name}':
        '∂f/∂{name} 的形状是 {shape}，不是 {name} 的形状',
    '{wrong} of {n} entries are not right yet':
        '{n} 个元素中还有 {wrong} 个不对',
    'right shape':
        '形状正确',
    'that is the shape of {name}ᵀ:':
        '这是 {name}ᵀ 的形状：',
    '∂f/∂{name} has the same shape as {name} itself: f is one number, and each entry of {name} gets its own partial derivative.':
        '∂f/∂{name} 的形状与 {name} 本身相同：f 是一个数，{name} 的每个元素都有自己的偏导数。',
}
