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
    # backprop_lab.mistakes (hints of the drills, the questions and the visible checks)
    'the gradient of a value always has the shape of that value; check which arrays you multiplied.':
        '一个值的梯度总是和这个值形状相同；检查一下你把哪些数组乘在了一起。',
    'did you forget a transpose (or put the factors of the product in the wrong order)?':
        '是不是忘了转置（或者把乘积的因子顺序写反了）？',
    'it is not summed over the batch: a parameter is shared by every example, so its gradient adds up the contributions of all rows (sum over axis 0).':
        '它没有对批量求和：参数被每个样本共享，所以它的梯度要把所有行的贡献加起来（沿 axis 0 求和）。',
    'it looks summed over the batch, but every example (row) needs its own gradient here.':
        '它看起来对批量求了和，但这里每个样本（每一行）都需要自己的梯度。',
    '{label} should be a single number.':
        '{label} 应该是一个数。',
    'it is all zeros: did you return the value you computed (or overwrite it with zeros)?':
        '结果全是零：你返回了算出来的值吗（还是用零覆写了它）？',
    'the sign is flipped: check the sign of the local gradient.':
        '符号反了：检查局部梯度的符号。',
    'it is exactly twice the right value: is a contribution counted twice, or a factor 2 too many?':
        '结果正好是正确值的两倍：是不是有一项贡献算了两次，或者多乘了一个因子 2？',
    'it is exactly half the right value: is a factor 2 (e.g. from x²) missing?':
        '结果正好是正确值的一半：是不是漏了一个因子 2（例如来自 x² 的 2）？',
    '{name} is used {n} times (by {users}): its gradient is the *sum* of what every branch sends back (the += of the chain rule), not one branch.':
        '{name} 被用了 {n} 次（被 {users} 用到）：它的梯度是每个分支传回的梯度之*和*（链式法则中的 +=），而不是其中一个分支。',
    'it is {batch}× too large — exactly the batch size: the loss is a mean over the {batch} examples, so its gradient carries a 1/{batch}.':
        '结果大了 {batch} 倍——正好是批量大小：损失是 {batch} 个样本的平均值，所以它的梯度带有一个 1/{batch}。',
    "it is {batch}× too small — exactly the batch size: a parameter's gradient sums over the examples (or the 1/{batch} of a mean loss is applied twice).":
        '结果小了 {batch} 倍——正好是批量大小：参数的梯度要对样本求和（或者平均损失的 1/{batch} 被用了两次）。',
    'the multiply gate {out} swaps its inputs: ∂{out}/∂{me} is the *other* input ({other}), not {me} itself.':
        '乘法门 {out} 交换它的输入：∂{out}/∂{me} 是*另一个*输入（{other}），而不是 {me} 本身。',
    'the sign is flipped: check the sign of each local gradient (and of the upstream).':
        '符号反了：检查每个局部梯度（以及上游梯度）的符号。',
    '{out} is an add gate: it passes the upstream gradient to both inputs unchanged (local gradient 1); it is the multiply gate that swaps.':
        '{out} 是加法门：它把上游梯度原封不动地传给两个输入（局部梯度为 1）；交换输入的是乘法门。',
    'looks like the upstream gradient was not multiplied in: ∂f/∂{name} = upstream × local, and the upstream here is {ups}.':
        '看起来没有乘上上游梯度：∂f/∂{name} = 上游梯度 × 局部梯度，这里的上游梯度是 {ups}。',
    'the upstream gradient was passed through unchanged, as an add gate would: multiply it by the local gradient of the {kinds} gate.':
        '上游梯度被原样传了过去，就像加法门那样：请把它乘以 {kinds} 门的局部梯度。',
    'that is the forward value of {name} (green), not its gradient: ∂f/∂{name} says how much f changes when {name} moves.':
        '这是 {name} 的前向值（绿色），不是它的梯度：∂f/∂{name} 说的是 {name} 变动时 f 变化多少。',
    '{me} is the larger input of the max gate {out}: max routes the whole upstream gradient to it (and 0 to the other).':
        '{me} 是取最大值门 {out} 中较大的输入：取最大值门把整个上游梯度路由给它（另一个输入得到 0）。',
    '{me} is the smaller input of the max gate {out}: max routes the gradient to the larger input only, so {me} gets 0 from it.':
        '{me} 是取最大值门 {out} 中较小的输入：取最大值门只把梯度路由给较大的输入，所以 {me} 从它那里得到 0。',
    'ReLU passes the upstream gradient where its input is > 0 and blocks it (0) where the input is ≤ 0: look at the sign of each input of the ReLU.':
        'ReLU 在输入 > 0 处让上游梯度通过，在输入 ≤ 0 处把它挡住（为 0）：看看 ReLU 每个输入的符号。',
    'this follows correctly from your ∂f/∂{wire}, but that one is wrong: fix it first, then this one again.':
        '这是由你的 ∂f/∂{wire} 正确推出的，但那一个错了：先改正它，再回来改这一个。',
    'the upstream gradient was multiplied in twice: upstream × local, once.':
        '上游梯度被乘了两次：上游梯度 × 局部梯度，只乘一次。',
    'and':
        '和',
    'a link of the chain is missing: between {name} and f the gradient also passes the {symbol} gate that computes {out}; multiply by its local gradient too.':
        '链条上少了一环：在 {name} 和 f 之间，梯度还要经过计算 {out} 的 {symbol} 门；也要乘以它的局部梯度。',
    "σ's local gradient is σ(1 − σ), not σ: with σ = {s} on the wire {out}, multiply the upstream by σ·(1 − σ).":
        'σ 的局部梯度是 σ(1 − σ)，不是 σ：连线 {out} 上 σ = {s}，请把上游梯度乘以 σ·(1 − σ)。',
    "σ's local gradient is σ(1 − σ), not σ: multiply the upstream by σ·(1 − σ).":
        'σ 的局部梯度是 σ(1 − σ)，不是 σ：请把上游梯度乘以 σ·(1 − σ)。',
    "σ's local gradient is σ(1 − σ), not 1 − σ.":
        'σ 的局部梯度是 σ(1 − σ)，不是 1 − σ。',
    "exp's local gradient is exp({me}) itself, the value on the wire {out} — not {me}.":
        'exp 的局部梯度就是 exp({me}) 本身，也就是连线 {out} 上的值——而不是 {me}。',
    'the local gradient of 1/{me} is −1/{me}², not 1/{me} or −1/{me}.':
        '1/{me} 的局部梯度是 −1/{me}²，不是 1/{me}，也不是 −1/{me}。',
    'the local gradient of {me}² is 2·{me}: the factor 2 is missing.':
        '{me}² 的局部梯度是 2·{me}：漏了因子 2。',
    'the local gradient of {me}² is 2·{me}, not {me}² (the output).':
        '{me}² 的局部梯度是 2·{me}，不是 {me}²（那是输出）。',
    'adding a constant does not change the slope: the local gradient of {me} + c is 1, whatever c is.':
        '加上一个常数不改变斜率：不管 c 是多少，{me} + c 的局部梯度都是 1。',
    'the local gradient of {a}·{me} is {a}: multiply the upstream by it (not divide).':
        '{a}·{me} 的局部梯度是 {a}：请把上游梯度乘以它（而不是除以它）。',
    '{rule}: check the transpose and the order of the factors — the gradient must have the shape of {me}, and only one product of the two gives it.':
        '{rule}：检查转置和因子的顺序——梯度必须和 {me} 形状相同，而两者的乘积中只有一种写法能给出这个形状。',
    # backprop_lab.graph (BackwardStep.describe: the step-through of backward)
    '{gate} ({symbol}): upstream = {value}':
        '{gate}（{symbol}）：上游梯度 = {value}',
    'input {i}':
        '输入 {i}',
    '{symbol} output':
        '{symbol} 的输出',
    'upstream':
        '上游梯度',
    'local':
        '局部梯度',
    '(+= from another branch: total {total})':
        '（+= 来自另一个分支：总和 {total}）',
    # backprop_lab.widgets.base (slider specs and values, text boxes: issue 14's checks)
    '{owner}: {name} must be a positive finite number, got {value!r}.':
        '{owner}：{name} 必须是有限的正数，实际得到 {value!r}。',
    '{owner}: the range of {name!r} must be two finite numbers (min, max) with min < max, got {bounds!r}.':
        '{owner}：{name!r} 的范围必须是两个有限的数 (min, max)，且 min < max，实际得到 {bounds!r}。',
    "{owner}: {name} must be a finite number from {low} to {high} (the slider's range), got {value!r}.":
        '{owner}：{name} 必须是 {low} 到 {high} 之间的有限数（滑块的范围），实际得到 {value!r}。',
    '{owner}: unknown {name} {value!r}; choose one of {choices}.':
        '{owner}：未知的 {name} {value!r}；请从 {choices} 中选择一个。',
    '{owner}: {name} expects an array of shape {shape} ({count:,} numbers), but the text is {length:,} characters long (more than {limit:,}); enter {count:,} numbers.':
        '{owner}：{name} 需要一个形状为 {shape} 的数组（{count:,} 个数），但输入的文本有 {length:,} 个字符'
        '（超过 {limit:,}）；请输入 {count:,} 个数。',
    '(drawing skipped: nbgrader is validating or grading this notebook)':
        '（未绘图：nbgrader 正在验证或评分这个笔记本）',
    'FigureView: margins {margins} (inches) leave no room for the axes in a figure of size {figsize}.':
        'FigureView：边距 {margins}（英寸）在大小为 {figsize} 的图中没有给坐标轴留下空间。',
    # backprop_lab.widgets.explorer (GraphExplorer)
    'green: values (forward)':
        '绿色：值（前向传播）',
    'red: gradients (backward)':
        '红色：梯度（反向传播）',
    'Cannot evaluate here: {error}':
        '此处无法求值：{error}',
    'Drawing stopped: {error}':
        '绘图已停止：{error}',
    'GraphExplorer: expected a Node, a Graph or a function, got {kind}.':
        'GraphExplorer：需要一个 Node、Graph 或函数，实际得到 {kind}。',
    "GraphExplorer: the function's inputs must be plain named parameters (like lambda x, y: ...); {parameter} is not.":
        'GraphExplorer：函数的输入必须是普通的具名参数（如 lambda x, y: ...）；{parameter} 不是。',
    'GraphExplorer: the function takes no inputs; give it named parameters, e.g. lambda x, y: x * y.':
        'GraphExplorer：这个函数没有输入；请给它带名字的参数，例如 lambda x, y: x * y。',
    'GraphExplorer: {unknown} are not inputs of the function; its inputs are {names}.':
        'GraphExplorer：{unknown} 不是这个函数的输入；它的输入是 {names}。',
    'GraphExplorer: the function returned {kind} {output!r}, not a Node. Build it from its inputs with backprop_lab operations (+ - * / ** @, bl.exp, bl.sigmoid, ... rather than math.exp or numpy functions).':
        'GraphExplorer：这个函数返回了 {kind} {output!r}，而不是 Node。请用 backprop_lab 的运算从它的输入'
        '构建结果（+ - * / ** @、bl.exp、bl.sigmoid ……，而不是 math.exp 或 numpy 函数）。',
    "GraphExplorer: the graph has no named leaves to vary; make its inputs with bl.var(value, name='x').":
        "GraphExplorer：这个图没有可以改变的具名叶节点；请用 bl.var(value, name='x') 创建它的输入。",
    'GraphExplorer: ranges must be a dict {{name: (min, max)}}, got {kind}.':
        'GraphExplorer：ranges 必须是字典 {{name: (min, max)}}，实际得到 {kind}。',
    'GraphExplorer: ranges names {unknown}, which are not inputs; inputs are {names}.':
        'GraphExplorer：ranges 中的 {unknown} 不是输入；输入是 {names}。',
    'GraphExplorer: range {bounds} for {name!r} does not hold its value {value}.':
        'GraphExplorer：{name!r} 的范围 {bounds} 不包含它的值 {value}。',
    'GraphExplorer: step {step!r} is larger than the range of {name!r} {bounds}: the slider could not move.':
        'GraphExplorer：步长 {step!r} 大于 {name!r} 的范围 {bounds}：滑块将无法移动。',
    '{name}: could not read {text!r} as numbers; write them like {example}.':
        '{name}：无法把 {text!r} 读成数；请写成 {example} 这样的形式。',
    '{name}: expected an array of shape {shape}, got shape {given}.':
        '{name}：需要形状为 {shape} 的数组，实际得到的形状是 {given}。',
    'GraphExplorer.set: no input named {unknown}; inputs are {names}.':
        'GraphExplorer.set：没有名为 {unknown} 的输入；输入是 {names}。',
    'GraphExplorer.set: {name} expects an array of shape {shape}, got shape {given}.':
        'GraphExplorer.set：{name} 需要形状为 {shape} 的数组，实际得到的形状是 {given}。',
    'GraphExplorer.set: {name} expects numbers, got {value!r}.':
        'GraphExplorer.set：{name} 需要数，实际得到 {value!r}。',
    'GraphExplorer.set: {name} must hold finite numbers, got {text}.':
        'GraphExplorer.set：{name} 必须只包含有限的数，实际得到 {text}。',
    # backprop_lab.widgets.stepper (BackwardStepper)
    'BackwardStepper: expected a Node or a Graph, got {kind}.':
        'BackwardStepper：需要一个 Node 或 Graph，实际得到 {kind}。',
    'step':
        '步骤',
    'Play':
        '播放',
    'Back':
        '后退',
    'one step back':
        '后退一步',
    'Step':
        '前进',
    'one gate further':
        '再往前一个门',
    'Reset':
        '重置',
    'back to the seed':
        '回到起始梯度',
    'the output':
        '输出',
    'Backward starts at {output}: its gradient with respect to itself is {seed} (the seed).\nPress Step to send it back through the {count} gates, one at a time.':
        '反向传播从 {output} 开始：它对自身的梯度是 {seed}（起始梯度）。\n按“前进”把它一个门一个门地传回去，共 {count} 个门。',
    'Done: every gradient has arrived. {gradients}':
        '完成：所有梯度都已到达。{gradients}',
    # backprop_lab.widgets.patterns (GatePatterns)
    'add distributes':
        '加法门：分发',
    'max routes':
        '取最大值门：路由',
    'multiply swaps':
        '乘法门：交换',
    'Local gradients are 1 and 1, so x and y both receive the upstream {g}: dx = {dx}, dy = {dy}.':
        '局部梯度都是 1，所以 x 和 y 都收到上游梯度 {g}：dx = {dx}，dy = {dy}。',
    ' (a tie: by convention x wins)':
        '（两者相等：按约定算 x 较大）',
    '{winner} is the larger input{tie}, so it receives all of the upstream {g}; {loser} receives 0: dx = {dx}, dy = {dy}.':
        '{winner} 是较大的输入{tie}，所以它收到全部上游梯度 {g}；{loser} 收到 0：dx = {dx}，dy = {dy}。',
    'Each input receives the upstream times the other input: dx = {g} · y = {g} · {y} = {dx}, dy = {g} · x = {g} · {x} = {dy}.':
        '每个输入收到上游梯度乘以另一个输入：dx = {g} · y = {g} · {y} = {dx}，dy = {g} · x = {g} · {x} = {dy}。',
    # backprop_lab.widgets.numerical (NumericalVsAnalytic)
    'NumericalVsAnalytic: f must return a scalar, got an array of shape {shape}.':
        'NumericalVsAnalytic：f 必须返回一个标量，实际得到形状为 {shape} 的数组。',
    "NumericalVsAnalytic: at {name} = {x:.3g}, f = {fx:.3g} and f' = {gradient:.3g}; beyond ±{largest:.0e} finite differences with h from 1e-13 to 1 have nothing meaningful to show: choose an {name} where f and its gradient are smaller.":
        "NumericalVsAnalytic：在 {name} = {x:.3g} 处，f = {fx:.3g}，f' = {gradient:.3g}；超过 ±{largest:.0e} 时，"
        "h 从 1e-13 到 1 的有限差分显示不出任何有意义的结果：请换一个 f 和它的梯度都更小的 {name}。",
    'NumericalVsAnalytic: x must be a finite number, got {x!r}.':
        'NumericalVsAnalytic：x 必须是有限的数，实际得到 {x!r}。',
    "NumericalVsAnalytic: the graph has leaves {names}; say which one to vary with wrt='name'.":
        "NumericalVsAnalytic：这个图有叶节点 {names}；请用 wrt='name' 指明要改变哪一个。",
    'NumericalVsAnalytic: expected a function of one input, a Node or a Graph, got {kind}.':
        'NumericalVsAnalytic：需要一个单输入的函数、Node 或 Graph，实际得到 {kind}。',
    'NumericalVsAnalytic: the function must take exactly one input (like lambda x: bl.sigmoid(x)); it takes {parameters}.':
        'NumericalVsAnalytic：函数必须恰好有一个输入（如 lambda x: bl.sigmoid(x)）；它的输入是 {parameters}。',
    'NumericalVsAnalytic: the function returned {kind}, not a Node; build it with backprop_lab operations (bl.exp, not math.exp).':
        'NumericalVsAnalytic：函数返回了 {kind}，而不是 Node；请用 backprop_lab 的运算构建它（用 bl.exp，而不是 math.exp）。',
    'step h':
        '步长 h',
    '|numerical − analytic|':
        '|数值梯度 − 解析梯度|',
    'one-sided (f(x+h)−f(x))/h':
        '单侧差分 (f(x+h)−f(x))/h',
    'centered (f(x+h)−f(x−h))/2h':
        '中心差分 (f(x+h)−f(x−h))/2h',
    'x = {x:.3g}, analytic gradient {gradient}':
        'x = {x:.3g}，解析梯度 {gradient}',
    'at this h':
        '在这个 h 处',
    'analytic (backprop)':
        '解析梯度（反向传播）',
    'one-sided':
        '单侧差分',
    'centered':
        '中心差分',
    'error':
        '误差',
    # backprop_lab.widgets.neuron (NeuronTrainer)
    "NeuronTrainer: expected 3 weights and 2 inputs (CS231n's neuron), got {weights} weights and {inputs} inputs.":
        'NeuronTrainer：需要 3 个权重和 2 个输入（CS231n 的神经元），实际得到 {weights} 个权重和 {inputs} 个输入。',
    'η (rate)':
        'η（学习率）',
    'target t':
        '目标 t',
    'Step (1 update)':
        '一步（更新 1 次）',
    '10 steps':
        '10 步',
    'update':
        '更新次数',
    'loss L = (f − t)²':
        '损失 L = (f − t)²',
    'after {updates} updates: L = {loss:.4g}':
        '更新 {updates} 次后：L = {loss:.4g}',
    'updates':
        '更新次数',
    'loss L':
        '损失 L',
    'the neuron now':
        '神经元的当前状态',
    # backprop_lab.widgets.rnn_explorer (RNNGradientExplorer)
    'exploding':
        '梯度爆炸',
    'vanishing':
        '梯度消失',
    'stable':
        '稳定',
    'RNNGradientExplorer: steps must lie in [2, {max_steps}] (max_steps), got {steps!r}.':
        'RNNGradientExplorer：steps 必须在 [2, {max_steps}]（max_steps）之内，实际得到 {steps!r}。',
    'ρ (spectral radius)':
        'ρ（谱半径）',
    'T (steps)':
        'T（时间步数）',
    'activation':
        '激活函数',
    'clip by global norm':
        '按全局范数做梯度裁剪',
    'threshold':
        '阈值',
    'fitted rate per step':
        '拟合出的每个时间步的倍率',
    'theory: ρ':
        '理论值：ρ',
    'theory: bound γ s₁':
        '理论值：上界 γ s₁',
    'verdict':
        '结论',
    '‖∂L/∂θ‖ (parameters)':
        '‖∂L/∂θ‖（参数）',
    'after clipping':
        '裁剪之后',
    'clip factor':
        '裁剪系数',
    'clipping scales all steps by {factor:.2g}':
        '梯度裁剪把每个时间步都乘以 {factor:.2g}',
    '{activation} RNN, ρ = {rho:g}: {verdict}':
        '{activation} 循环神经网络，ρ = {rho:g}：{verdict}',
    # backprop_lab.rnn_experiments (the gradient-norm plots of lesson 13 and the RNN explorer)
    'ρ^k = {rho:g}^k (exact)':
        'ρ^k = {rho:g}^k（精确）',
    'ρ^k = {rho:g}^k (limit)':
        'ρ^k = {rho:g}^k（极限）',
    'bound (γ s₁)^k = {rate:.3g}^k':
        '上界 (γ s₁)^k = {rate:.3g}^k',
    'clipped (×{factor:.2g})':
        '裁剪后（×{factor:.2g}）',
    'k, steps back in time':
        'k：往回的时间步数',
    "{activation}: Whh with {kind} ρ":
        '{activation}：按 {kind} 设定 Whh 的 ρ',
    '{activation}, ρ = {rho:g}: every step scaled alike':
        '{activation}，ρ = {rho:g}：每个时间步缩放的倍数相同',
    '‖∂L/∂θ‖ without clipping':
        '不做梯度裁剪时的 ‖∂L/∂θ‖',
    'threshold {max_norm:g}':
        '阈值 {max_norm:g}',
    'sequence length T':
        '序列长度 T',
    'global norm of (dWxh, dWhh, db)':
        '(dWxh, dWhh, db) 的全局范数',
    "clipping caps the update's length":
        '梯度裁剪限制了更新的长度',
    'vanilla RNN ‖∂L/∂h‖':
        '普通循环神经网络 ‖∂L/∂h‖',
    'LSTM ‖∂L/∂h‖':
        '长短期记忆网络 ‖∂L/∂h‖',
    'LSTM ‖∂L/∂c‖':
        '长短期记忆网络 ‖∂L/∂c‖',
    'mean forget gate^k = {forget:.2f}^k':
        '平均遗忘门^k = {forget:.2f}^k',
    'gradient norm':
        '梯度范数',
    'the cell state carries the gradient back':
        '单元状态把梯度传了回去',
    '{cell}, clipped at {max_norm}':
        '{cell}，梯度裁剪阈值 {max_norm}',
    '{label}: blew up at iteration {iteration}':
        '{label}：在第 {iteration} 次迭代时发散',
    'always answer 1: 1/6':
        '总是回答 1：1/6',
    'iteration':
        '迭代次数',
    'mean squared error':
        '均方误差',
    'adding problem':
        '加法问题',
    '‖∂L/∂θ‖ before clipping':
        '梯度裁剪之前的 ‖∂L/∂θ‖',
    '{iterations} iterations, diverged at iteration {iteration}':
        '{iterations} 次迭代，在第 {iteration} 次迭代时发散',
    '{iterations} iterations, final loss {loss:.4f}':
        '{iterations} 次迭代，最终损失 {loss:.4f}',
    # backprop_lab.modes (plot_costs, lesson 10)
    'forward mode':
        '前向模式',
    'reverse mode':
        '反向模式',
    'n (inputs of f)':
        'n（f 的输入个数）',
    'passes':
        '遍数',
    'passes for the whole gradient':
        '求出整个梯度所需的遍数',
    'milliseconds':
        '毫秒',
    'wall time for the whole gradient':
        '求出整个梯度所用的时间',
    # backprop_lab.gradcheck (the report lessons 04, 06, 09 and 11 print)
    'gradient check: {title} (threshold {threshold:.0e})':
        '梯度检查：{title}（阈值 {threshold:.0e}）',
    'input':
        '输入',
    'max rel error':
        '最大相对误差',
    'result':
        '结果',
    'pass':
        '通过',
    'FAIL':
        '不通过',
    'all passed':
        '全部通过',
    'some gradients are wrong':
        '有些梯度是错的',
    'leaf {i}':
        '叶节点 {i}',
    # backprop_lab.modes (ColahExample.describe, lesson 10)
    'e = (a + b)·(b + 1) at a = {a:g}, b = {b:g}: c = a + b = {c:g}, d = b + 1 = {d:g}, e = c·d = {e:g}':
        '在 a = {a:g}、b = {b:g} 处计算 e = (a + b)·(b + 1)：c = a + b = {c:g}，d = b + 1 = {d:g}，e = c·d = {e:g}',
    'forward mode: {passes} passes, one per input':
        '前向模式：{passes} 遍，每个输入一遍',
    'start ∂{name}/∂{name} = 1: ∂c/∂{name} = {c:g}, ∂d/∂{name} = {d:g}, ∂e/∂{name} = {e:g}':
        '从 ∂{name}/∂{name} = 1 开始：∂c/∂{name} = {c:g}，∂d/∂{name} = {d:g}，∂e/∂{name} = {e:g}',
    'reverse mode: 1 pass for both inputs':
        '反向模式：两个输入一共只要 1 遍',
    'start ∂e/∂e = 1: ∂e/∂c = {c:g}, ∂e/∂d = {d:g}, ∂e/∂a = {a:g}, ∂e/∂b = {b:g}':
        '从 ∂e/∂e = 1 开始：∂e/∂c = {c:g}，∂e/∂d = {d:g}，∂e/∂a = {a:g}，∂e/∂b = {b:g}',
    # backprop_lab.practice.drill (level 5: the answer box and the matrices shown in full)
    'shape, e.g. 2x3':
        '形状，例如 2x3',
    'constant':
        '常数',
    'shape {shape}':
        '形状 {shape}',
    # backprop_lab.mistakes (the value comparison of every check: what is wrong, and the hint)
    'looks like the upstream gradient was not multiplied in ({rule}).':
        '看起来没有乘上上游梯度（{rule}）。',
    'looks like the upstream gradient ({upstream}) was not multiplied in ({rule}).':
        '看起来没有乘上上游梯度（{upstream}）（{rule}）。',
    '{label}: got None — did you forget to `return` it (or to store it on the object)?':
        '{label}：得到的是 None——是不是忘了 `return` 它（或者忘了把它存到对象上）？',
    '{label}: expected a number or a numpy array, got {kind}.':
        '{label}：应该是一个数或 numpy 数组，得到的却是 {kind}。',
    '{label}: shape {got} should be {expected}: {hint}':
        '{label}：形状 {got} 应该是 {expected}：{hint}',
    '{label}: contains NaN or inf. An overflow? (e.g. exp of a large number: subtract the maximum first.)':
        '{label}：含有 NaN 或 inf。是溢出了吗？（例如对很大的数取 exp：先减去最大值。）',
    '{label}: contains NaN or inf at index {index}. An overflow? (e.g. exp of a large number: subtract the maximum first.)':
        '{label}：在下标 {index} 处含有 NaN 或 inf。是溢出了吗？（例如对很大的数取 exp：先减去最大值。）',
    '{label}: expected {expected}, got {got}.':
        '{label}：应为 {expected}，得到 {got}。',
    '{label}: wrong at index {index}: expected {expected}, got {got} ({wrong} of {size} entries differ).':
        '{label}：下标 {index} 处错了：应为 {expected}，得到 {got}（{size} 个元素中有 {wrong} 个不同）。',
    'Hint: {hint}':
        '提示：{hint}',
    # backprop_lab.grading (visible checks, hidden checks, running the student's code)
    '{task}: not yet right.':
        '{task}：还没有全对。',
    '{task}: the worked examples pass.':
        '{task}：示例全部通过。',
    '{label} does match the numerical gradient of *your* forward pass, so backward is consistent with it: look for the mistake in forward.':
        '{label} 与*你的*前向传播的数值梯度一致，所以反向传播和它是相符的：错误在前向传播里。',
    '{label} does not match the numerical gradient of your own forward pass either: the mistake is in backward.':
        '{label} 与你自己的前向传播的数值梯度也不一致：错误在反向传播里。',
    '{task}: hidden tests pass.':
        '{task}：隐藏测试通过。',
    '{task}: hidden tests failed: your code raised an error on every hidden case.':
        '{task}：隐藏测试没有通过：你的代码在每一个隐藏用例上都抛出了错误。',
    '{task}: hidden tests (checked in a separate Python process) failed.':
        '{task}：隐藏测试（在一个单独的 Python 进程中检查）没有通过。',
    'your code raised NotImplementedError: write your solution where it says `# YOUR CODE HERE` and delete the `raise NotImplementedError()`.':
        '你的代码抛出了 NotImplementedError：在写着 `# YOUR CODE HERE` 的地方写你的答案，并删掉 `raise NotImplementedError()`。',
    'your code raised RecursionError: a function calls itself once per node, and Python stops at about 1,000 nested calls. Use a loop with an explicit stack (a list you push to and pop from) instead.':
        '你的代码抛出了 RecursionError：一个函数对每个节点调用一次自己，而 Python 在大约 1,000 层嵌套调用处就会停止。请改用带显式栈的循环（一个用来压入和弹出的列表）。',
    'your code raised {kind}: {error}':
        '你的代码抛出了 {kind}：{error}',
    'your code raised {kind}':
        '你的代码抛出了 {kind}',
    '... and {more} more.':
        '……还有 {more} 条。',
    '{label}: missing from your results.':
        '{label}：你的结果中没有它。',
    '{what} must return a tuple of {n} values; got {kind} of length {length}.':
        '{what} 必须返回由 {n} 个值组成的元组；得到的是长度为 {length} 的 {kind}。',
    '{what} must return a tuple of {n} values; got {kind}.':
        '{what} 必须返回由 {n} 个值组成的元组；得到的是 {kind}。',
    "{name}.{method} is backprop_lab's own {found}: the exercise is to write it yourself, so this part scores 0. Subclass only the `Gate` base class (or nothing) and write the methods in your own code.":
        '{name}.{method} 是 backprop_lab 自带的 {found}：这道题要你自己写，所以这一题得 0 分。只能继承 `Gate` 基类（或者什么都不继承），并用你自己的代码写出这些方法。',
    "{name} is backprop_lab's own {found}: the exercise is to write it yourself, so this part scores 0.":
        '{name} 是 backprop_lab 自带的 {found}：这道题要你自己写，所以这一题得 0 分。',
    # backprop_lab.grading.ps2_engine (problem set 2: your own engine)
    'subtraction: d(a − b)/db = −1.':
        '减法：d(a − b)/db = −1。',
    'subtraction: d(2 − a)/da = −1.':
        '减法：d(2 − a)/da = −1。',
    'the multiply gate swaps its inputs: d(a·b)/da = b.':
        '乘法门交换它的输入：d(a·b)/da = b。',
    'the multiply gate swaps its inputs: d(a·b)/db = a.':
        '乘法门交换它的输入：d(a·b)/db = a。',
    'd(3a)/da = 3, the constant factor.':
        'd(3a)/da = 3，也就是那个常数因子。',
    'd(a/b)/da = 1/b.':
        '除法：d(a/b)/da = 1/b。',
    'd(a/b)/db = −a/b² (write a/b as a · b⁻¹).':
        'd(a/b)/db = −a/b²（把 a/b 写成 a · b⁻¹）。',
    'the power rule: d(aⁿ)/da = n·aⁿ⁻¹; the factor n is missing.':
        '幂法则：d(aⁿ)/da = n·aⁿ⁻¹；少了因子 n。',
    'the power rule: d(aⁿ)/da = n·aⁿ⁻¹, not n·aⁿ.':
        '幂法则：d(aⁿ)/da = n·aⁿ⁻¹，而不是 n·aⁿ。',
    'd exp(a)/da = exp(a): the output itself.':
        'd exp(a)/da = exp(a)：就是输出本身。',
    "tanh's local gradient is 1 − t² with t = tanh(a), the *output*; not 1 − a².":
        'tanh 的局部梯度是 1 − t²，其中 t = tanh(a) 是*输出*；而不是 1 − a²。',
    "tanh's local gradient is 1 − tanh(a)², not tanh(a).":
        'tanh 的局部梯度是 1 − tanh(a)²，而不是 tanh(a)。',
    'ReLU passes the gradient only where a > 0 (at a = 0 its local gradient is 0, as in the engine).':
        'ReLU 只在 a > 0 的地方让梯度通过（在 a = 0 处它的局部梯度是 0，与引擎一致）。',
    '{label} returned {kind}, not a {cls}: every operation returns a new {cls}.':
        '{label} 返回的是 {kind}，而不是 {cls}：每个运算都要返回一个新的 {cls}。',
    '{label}: the result has no `parents` / `local_grads`: every operation stores the Values it was computed from and d(out)/d(each).':
        '{label}：结果没有 `parents` / `local_grads`：每个运算都要存下计算出它的那些 Value，以及 d(out)/d(每一个)。',
    '{label}: {parents} parents but {local} local gradients: store one local gradient per parent, in the same order.':
        '{label}：有 {parents} 个父节点，却有 {local} 个局部梯度：每个父节点存一个局部梯度，顺序相同。',
    '{label}: the operand is not among `out.parents`: store the Values the result was computed from (a Value made from a number is a new parent, but a Value operand must be the object itself).':
        '{label}：操作数不在 `out.parents` 中：要存下计算出结果的那些 Value（由数包装成的 Value 是一个新的父节点，但作为操作数的 Value 必须是那个对象本身）。',
    'topological_order must return a list of nodes; got {kind}.':
        'topological_order 必须返回由节点组成的列表；得到的是 {kind}。',
    "topological_order must return a list of the graph's nodes.":
        'topological_order 必须返回由计算图的节点组成的列表。',
    'the order of {n} nodes':
        '{n} 个节点的顺序',
    '{label}: it contains something that is not a node of the graph (return the node objects themselves).':
        '{label}：其中有不是计算图节点的东西（请返回节点对象本身）。',
    '{label}: got an empty list.':
        '{label}：得到的是一个空列表。',
    '{label}: it contains {name!r}, which the output does not depend on: follow `parents` back from the output only.':
        '{label}：其中有输出并不依赖的 {name!r}：只能从输出出发，沿着 `parents` 往回走。',
    '{label}: {name!r} appears {count} times: remember the nodes you have visited and list each once.':
        '{label}：{name!r} 出现了 {count} 次：记住已经访问过的节点，每个只列一次。',
    '{label}: {count} missing, e.g. {name!r}.':
        '{label}：缺了 {count} 个，例如 {name!r}。',
    'The order is reversed: list the inputs first and the output last.':
        '顺序反了：输入在前，输出在最后。',
    'A node may be listed only after *all* its inputs (a post-order: append a node when every parent is done).':
        '一个节点只能排在它*所有*输入之后（后序：一个节点的每个父节点都处理完之后，才把它加入列表）。',
    '{label}: {name!r} comes before its input {parent!r}. {hint}':
        '{label}：{name!r} 排在了它的输入 {parent!r} 之前。{hint}',
    'the expression gave {kind}, not a Value.':
        '这个表达式得到的是 {kind}，而不是 Value。',
    '{name} is used {times}: its gradient is the sum over all its uses (+= in backward, never =); a contribution was overwritten or lost.':
        '{name} 被使用了{times}：它的梯度是所有使用处的梯度之和（反向传播中用 +=，绝不用 =）；有一份梯度被覆写或丢掉了。',
    'twice':
        '两次',
    'three times':
        '三次',
    'backward() seeds the output: set its grad to 1 before walking the order.':
        'backward() 先设定输出的起始梯度：走过拓扑顺序之前，先把输出的 grad 设为 1。',
    'backward() called twice must give the same gradients: start from zero (zero_grad() on the graph) before seeding the output with 1; here the second call added to what the first one left.':
        '调用两次 backward() 必须得到同样的梯度：先从零开始（对计算图调用 zero_grad()），再把输出的梯度设为 1；这里第二次调用把梯度加到了第一次留下的值上。',
    'zero_grad() sets the grad of *every* node of the graph to 0 (walk the topological order), the output and the leaves included.':
        'zero_grad() 把计算图中*每一个*节点的 grad 设为 0（走过拓扑顺序），包括输出和叶节点。',
    '{op} returned {kind}, not a Dual.':
        '{op} 返回的是 {kind}，而不是 Dual。',
    "the tangent of {op} is Σ (local gradient × the operand's tangent): multiply each local gradient by the tangent it belongs to.":
        '{op} 的切向量是 Σ（局部梯度 × 操作数的切向量）：把每个局部梯度乘以它所对应的切向量。',
    "forward mode needs exactly one pass per input (seed that input's tangent with 1, the others with 0); no extra pass is needed for anything else.":
        '前向模式每个输入恰好需要一遍（那个输入的切向量设为 1，其余设为 0）；不需要为别的任何东西多算一遍。',
    'train_mlp must return the trained model (an object with .predict(X)); got {kind}.':
        'train_mlp 必须返回训练好的模型（一个带有 .predict(X) 的对象）；得到的是 {kind}。',
    'predict(X) must return one label (0 or 1) per row: shape {expected}, got {shape}.':
        'predict(X) 必须为每一行返回一个标签（0 或 1）：形状应为 {expected}，得到 {shape}。',
    'held-out accuracy {accuracy:.0%} is below the target {target:.0%}. Hint: check that the loss goes down (print it every 10 steps); update every parameter with p.data -= lr * p.grad after backward(); try a larger learning rate or more steps.':
        '留出点上的准确率 {accuracy:.0%} 低于目标 {target:.0%}。提示：检查损失是否在下降（每 10 步打印一次）；在 backward() 之后用 p.data -= lr * p.grad 更新每一个参数；试试更大的学习率或更多的步数。',
    # backprop_lab.grading.ps3_layers (problem set 3: layers)
    'a parameter is shared by every example: its gradient is the *sum* of their contributions over the batch (axis 0), not the mean.':
        '一个参数被每个样本共享：它的梯度是各个样本的贡献在整个批量上（第 0 轴）的*和*，而不是平均值。',
    'db = Σ over the batch of dout':
        'db = dout 在整个批量上的和',
    'at x = 0 ReLU passes no gradient: use the mask x > 0, not x >= 0.':
        '在 x = 0 处 ReLU 不让梯度通过：掩码用 x > 0，而不是 x >= 0。',
    'the local gradient is σ(x)·(1 − σ(x)), not σ(x).':
        '局部梯度是 σ(x)·(1 − σ(x))，而不是 σ(x)。',
    'subtract 1 at the correct class: dscores = (p − onehot(y)) / N.':
        '在正确类别处减去 1：dscores = (p − onehot(y)) / N。',
    'that is the one-sided difference (f(x+h) − f(x)) / h: use the centered one, (f(x+h) − f(x−h)) / 2h.':
        '这是单侧差分 (f(x+h) − f(x)) / h：请用中心差分 (f(x+h) − f(x−h)) / 2h。',
    'train_two_layer must return the trained model (an object with .predict(X)); got {kind}.':
        'train_two_layer 必须返回训练好的模型（一个带有 .predict(X) 的对象）；得到的是 {kind}。',
    'predict(X_test) must return one integer label per row: shape {expected}, got {shape}.':
        'predict(X_test) 必须为每一行返回一个整数标签：形状应为 {expected}，得到 {shape}。',
    'test accuracy {accuracy:.1%} is below the target {target:.0%}. Hint: check your gradients first (the gradient checker), then the learning rate and the number of iterations; a hidden layer of 50–100 ReLUs is enough.':
        '测试准确率 {accuracy:.1%} 低于目标 {target:.0%}。提示：先检查你的梯度（用梯度检查器），再检查学习率和迭代次数；一个由 50–100 个 ReLU 组成的隐藏层就够了。',
    'init_weights must return an array of weights; got something else.':
        'init_weights 必须返回一个权重数组；得到的却是别的东西。',
    'that is the variance of a standard normal: scale the draws by the standard deviation you want (multiply by its square root).':
        '这是标准正态分布的方差：把抽出的值乘以你想要的标准差（方差的平方根）。',
    'rng.normal(0, s) takes the standard deviation s, not the variance: s = sqrt(variance).':
        'rng.normal(0, s) 接受的是标准差 s，而不是方差：s = sqrt(方差)。',
    '1/n_in (LeCun) keeps the scale of a layer that passes its whole input; ReLU zeroes half of it, so He doubles it: 2/n_in.':
        '1/n_in（LeCun）能保持让全部输入通过的层的尺度；ReLU 把一半输入置零，所以 He 把它加倍：2/n_in。',
    "2/(n_in + n_out) is Xavier's scale, for tanh; after a ReLU use He's 2/n_in.":
        '2/(n_in + n_out) 是 Xavier 的尺度，用于 tanh；ReLU 之前的层用 He 的 2/n_in。',
    "2/n_in is He's scale, for ReLU (which zeroes half of its input); tanh passes values near 0 unchanged: Xavier's 2/(n_in + n_out).":
        '2/n_in 是 He 的尺度，用于 ReLU（它把一半输入置零）；tanh 让 0 附近的值原样通过：用 Xavier 的 2/(n_in + n_out)。',
    "1/n_in (LeCun) keeps only the forward signal's scale; Xavier averages fan-in and fan-out: 2/(n_in + n_out).":
        '1/n_in（LeCun）只保持前向信号的尺度；Xavier 取输入个数与输出个数的平均：2/(n_in + n_out)。',
    'W: expected shape ({n_in}, {n_out}), got {shape}.':
        'W：形状应为 ({n_in}, {n_out})，得到 {shape}。',
    'The layer computes x @ W with x of shape (N, n_in): W is (n_in, n_out).':
        '这一层计算 x @ W，x 的形状是 (N, n_in)：W 的形状是 (n_in, n_out)。',
    'W holds inf or nan.':
        'W 中含有 inf 或 nan。',
    'W has {n_out} columns but only {columns} distinct ones':
        'W 有 {n_out} 列，但只有 {columns} 列互不相同',
    'W has {n_out} columns but only {columns} distinct one':
        'W 有 {n_out} 列，但只有 {columns} 列互不相同',
    '{distinct} — hidden units whose weights start equal compute the same value, get the same gradient and stay equal forever. Draw every weight at random.':
        '{distinct}——权重一开始就相等的隐藏单元算出同样的值，得到同样的梯度，并且永远保持相等。每个权重都要随机抽取。',
    'W: variance {var}, expected {target} ({name}, with n_in = {n_in}, n_out = {n_out}). Then each {act} layer multiplies the variance of the signal (and of the gradient) by {factor} times what the right scale gives: ×{total} after {depth} layers.':
        'W：方差为 {var}，应为 {target}（{name}，n_in = {n_in}，n_out = {n_out}）。这样每个 {act} 层都会把信号（以及梯度）的方差乘以正确尺度下的 {factor} 倍：{depth} 层之后是 ×{total}。',
    'W: mean {mean}; the weights must have mean 0.':
        'W：均值为 {mean}；权重的均值必须为 0。',
    "the same seed gave other weights: draw them with the generator `rng` you are given (rng.normal, rng.standard_normal), not np.random's global one — a run must be reproducible.":
        '同一个随机种子给出了不同的权重：请用给你的生成器 `rng` 抽取（rng.normal、rng.standard_normal），而不是 np.random 的全局生成器——每次运行的结果必须可以复现。',
    'another seed gave the same weights: they must be drawn at random, with `rng`.':
        '另一个随机种子给出了同样的权重：权重必须用 `rng` 随机抽取。',
    # backprop_lab.grading.ps2_engine / ps3_layers: the cases named in the checks' messages
    'a = 0 (the kink of ReLU), b = 1':
        'a = 0（ReLU 的折点），b = 1',
    'a feeds d directly and through b and c (two paths of different length)':
        'a 直接送入 d，也经过 b 和 c 送入 d（两条长度不同的路径）',
    'a used three times':
        'a 被使用三次',
    'a chain of {n:,} nodes':
        '由 {n:,} 个节点组成的链',
    'f = (x + y) · z at x = -2, y = 5, z = -4 (CS231n)':
        'f = (x + y) · z 在 x = -2、y = 5、z = -4 处（CS231n）',
    'a + a at a = 3':
        'a + a 在 a = 3 处',
    'a · a at a = 3':
        'a · a 在 a = 3 处',
    'a used by three gates: a·b + exp(a·0.5) + tanh(a + 1.5) at a = 0.5, b = -2':
        'a 被三个门使用：a·b + exp(a·0.5) + tanh(a + 1.5) 在 a = 0.5、b = -2 处',
    'x · 1.0001, 10,000 times (d/dx = 1.0001¹⁰⁰⁰⁰ ≈ e)':
        'x · 1.0001，连乘 10,000 次（d/dx = 1.0001¹⁰⁰⁰⁰ ≈ e）',
    'staged(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) at x = 3, y = -4 (CS231n)':
        'staged(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) 在 x = 3、y = -4 处（CS231n）',
    "micrograd's neuron: tanh(x1·w1 + x2·w2 + b) at x = [2, 0], w = [-3, 1], b = 6.8813735870195432":
        'micrograd 的神经元：tanh(x1·w1 + x2·w2 + b) 在 x = [2, 0]、w = [-3, 1]、b = 6.8813735870195432 处',
    "{case}, tangents a' = 1, b' = 0":
        "{case}，切向量 a' = 1、b' = 0",
    "a = -1.5, b = 0.5, tangents a' = 2, b' = -1":
        "a = -1.5、b = 0.5，切向量 a' = 2、b' = -1",
    "e = (a + b)·(b + 1) at a = 2, b = 1 (colah's example)":
        'e = (a + b)·(b + 1) 在 a = 2、b = 1 处（colah 的例子）',
    'XOR blobs: 24 training points, 40 held out':
        '异或数据：24 个训练点，40 个留出点',
    'random a, b ({k})':
        '随机的 a、b（{k}）',
    'f = (x + y) · z at random x, y, z':
        'f = (x + y) · z，随机的 x、y、z',
    'a + a at random a':
        'a + a，随机的 a',
    'a · a at random a':
        'a · a，随机的 a',
    'a used by three gates, random a, b':
        'a 被三个门使用，随机的 a、b',
    'a chain of {n:,} steps':
        '{n:,} 步组成的链',
    'staged(x, y) at random x, y ({k})':
        'staged(x, y)，随机的 x、y（{k}）',
    'a random graph of {n} nodes':
        '由 {n} 个节点组成的随机计算图',
    'random expression {k} ({n} operations)':
        '随机表达式 {k}（{n} 个运算）',
    'random a, b and tangents ({k})':
        '随机的 a、b 和切向量（{k}）',
    'a random expression of {n} inputs':
        '有 {n} 个输入的随机表达式',
    'XOR blobs drawn afresh':
        '重新抽取的异或数据',
    '2 examples, 3 classes':
        '2 个样本，3 个类别',
    'f(x) = Σx³ + x₀₀·x₁₂ at x = [[1, 2, 3], [-1, 0, 0.5]]':
        'f(x) = Σx³ + x₀₀·x₁₂ 在 x = [[1, 2, 3], [-1, 0, 0.5]] 处',
    '3-class spirals (100 points per class), 25 % held out':
        '三类螺旋数据（每类 100 个点），留出 25 %',
    'a ReLU layer, 200 → 100':
        '一个 ReLU 层，200 → 100',
    'a tanh layer, 60 → 240':
        '一个 tanh 层，60 → 240',
    '3-class spirals drawn with another seed':
        '用另一个随机种子抽取的三类螺旋数据',
    'random (4, 5) with a zero':
        '随机的 (4, 5)，其中有一个 0',
    'random x (5, 4), W (4, 3)':
        '随机的 x (5, 4)、W (4, 3)',
    'a batch of one, x (1, 6), W (6, 2)':
        '只有一个样本的批量，x (1, 6)、W (6, 2)',
    'random (6, 4) scores':
        '随机的 (6, 4) 分数',
    'large scores (the max trick)':
        '很大的分数（减去最大值的技巧）',
    'random (3, 4)':
        '随机的 (3, 4)',
    'a ReLU layer of other sizes':
        '另一种尺寸的 ReLU 层',
    'a tanh layer of other sizes':
        '另一种尺寸的 tanh 层',
    # backprop_lab.grading.ps1_gates (problem set 1: gates and circuits; messages, hints and cases)
    'the multiply gate *swaps* its inputs: dx = upstream · y and dy = upstream · x.':
        '乘法门*交换*它的输入：dx = upstream · y，dy = upstream · x。',
    'looks like the upstream gradient was not multiplied in (routed, but as 1).':
        '看起来没有乘上上游梯度（做了路由，但传过去的是 1）。',
    'the max gate routes the gradient to the *larger* input, not the smaller one.':
        '取最大值门把梯度路由给*较大*的输入，而不是较小的那个。',
    'only the larger input gets the gradient; the other one gets 0 (max routes).':
        '只有较大的输入得到梯度；另一个得到 0（max 做路由）。',
    'at a tie (x == y) give the gradient to x only: counting it for both inputs doubles it.':
        '两者相等时（x == y）只把梯度给 x：两个输入都算一份，梯度就翻倍了。',
    "some of x's branches were overwritten instead of added: x is used in the numerator, in σ(x) and in x + y — use += for every branch after the first.":
        'x 的一些分支被覆写了，而不是累加：x 用在分子里、σ(x) 里和 x + y 里——第一个分支之后的每个分支都要用 +=。',
    "some of y's branches were overwritten instead of added: y is used in σ(y) and in x + y — use += for every branch after the first.":
        'y 的一些分支被覆写了，而不是累加：y 用在 σ(y) 里和 x + y 里——第一个分支之后的每个分支都要用 +=。',
    '{name} is used {times} (in {uses}): the gradients of all its uses add up (+=); one of them was lost.':
        '{name} 被使用了{times}（在 {uses}）：所有使用处的梯度要累加（+=）；其中有一份丢掉了。',
    'a·b, in max(a, b) and as the factor of max':
        'a·b 中、max(a, b) 中，以及作为 max 的因子',
    'a·b and in max(a, b)':
        'a·b 和 max(a, b) 中',
    'neuron(...) must return the output Node of the graph, got {kind}.':
        'neuron(...) 必须返回计算图的输出节点，得到的却是 {kind}。',
    'neuron(...) must build the graph with your {cls} (bl.graph.apply({cls}(), a, b) runs your gate inside the graph).':
        'neuron(...) 必须用你的 {cls} 搭建计算图（bl.graph.apply({cls}(), a, b) 在计算图中运行你的门）。',
    'the local gradient is σ(x)·(1 − σ(x)), not 1 − σ(x).':
        '局部梯度是 σ(x)·(1 − σ(x))，而不是 1 − σ(x)。',
    'σ(1 − σ) uses the *output* σ(x), not the input x.':
        'σ(1 − σ) 用的是*输出* σ(x)，而不是输入 x。',
    "x = -4, y = 3, upstream 2 (the multiply gate of CS231n's 'Backpropagation, Intuitions')":
        'x = -4，y = 3，上游梯度 2（CS231n 笔记“Backpropagation, Intuitions”中的乘法门）',
    'x = 4, y = 2, upstream 2 (max routes to x)':
        'x = 4，y = 2，上游梯度 2（max 路由给 x）',
    'x = -1, y = 5, upstream 3 (max routes to y)':
        'x = -1，y = 5，上游梯度 3（max 路由给 y）',
    'a tie, x = y = 1.5, upstream -2':
        '相等的情形，x = y = 1.5，上游梯度 -2',
    'random (4, 3) arrays with a tie':
        '随机的 (4, 3) 数组，其中有相等的元素',
    'x = 0, upstream 1':
        'x = 0，上游梯度 1',
    'x = 1, upstream 2 (the CS231n neuron: σ(1) = 0.73)':
        'x = 1，上游梯度 2（CS231n 的神经元：σ(1) = 0.73）',
    'the CS231n neuron: w = [2, -3, -3], x = [-1, -2]':
        'CS231n 的神经元：w = [2, -3, -3]，x = [-1, -2]',
    "x = 3, y = -4 (the staged example of CS231n's 'Backpropagation, Intuitions')":
        'x = 3，y = -4（CS231n 笔记“Backpropagation, Intuitions”中分段计算的例子）',
    'random numbers':
        '随机的数',
    'random (3, 4) arrays':
        '随机的 (3, 4) 数组',
    'random (5, 2) array':
        '随机的 (5, 2) 数组',
    'random weights and inputs':
        '随机的权重和输入',
    'random point {k}':
        '随机的点 {k}',
    # backprop_lab.grading.ps4_cnn_rnn / ps5_cnn_lstm (problem sets 4 and 5: hints, messages and cases)
    "multiply by tanh's local gradient (1 − h²) before the matrix products.":
        '在矩阵乘积之前，先乘以 tanh 的局部梯度 (1 − h²)。',
    'the gradient arriving at h_t from step t+1 (dh_prev of the later step) must be added to dhs[t] before backpropagating step t.':
        '从第 t+1 步到达 h_t 的梯度（后一步的 dh_prev）必须先加到 dhs[t] 上，再对第 t 步做反向传播。',
    'clip by the *global* norm of all gradients together (one scale factor for all arrays), not each array by its own norm.':
        '按所有梯度合在一起的*全局*范数裁剪（所有数组共用一个缩放因子），而不是每个数组按它自己的范数裁剪。',
    "x 3×3 (1..9), w 2×2, dout 2×2 (the article's example)":
        'x 3×3（1..9），w 2×2，dout 2×2（文章中的例子）',
    'grads [3, 4] and [12], max_norm 6.5 (norm 13 → halved)':
        'grads 为 [3, 4] 和 [12]，max_norm 6.5（范数 13 → 减半）',
    'clip_by_global_norm must return (list of clipped arrays, global norm), one array per input gradient.':
        'clip_by_global_norm 必须返回（裁剪后的数组列表, 全局范数），每个输入梯度对应一个数组。',
    'dx is the *full* convolution of dout with the kernel rotated by 180° (np.rot90(w, 2)); the kernel was not rotated.':
        'dx 是 dout 与旋转 180° 的卷积核（np.rot90(w, 2)）的*全*卷积；这里卷积核没有旋转。',
    'the norms must run backwards from the last step: norms[0] is ‖∂L/∂h_T‖, norms[k] is ‖∂L/∂h_(T−k)‖.':
        '范数要从最后一步往回排：norms[0] 是 ‖∂L/∂h_T‖，norms[k] 是 ‖∂L/∂h_(T−k)‖。',
    'three arrays, norm above the threshold':
        '三个数组，范数高于阈值',
    'three arrays, norm below the threshold (unchanged)':
        '三个数组，范数低于阈值（保持不变）',
    'random x 5×6, w 3×2':
        '随机的 x 5×6、w 3×2',
    'i, f and o are sigmoids of their columns of a and g a tanh: multiply by their local gradients, σ(1 − σ) and 1 − g², before the matrix products.':
        'i、f、o 是 a 中各自那几列的 sigmoid，g 是 tanh：在矩阵乘积之前，先乘以它们的局部梯度 σ(1 − σ) 和 1 − g²。',
    'c also goes on to the next step: add dc_next to the gradient that reaches c through h before going further back.':
        'c 还会送到下一步：继续往回之前，把 dc_next 加到经过 h 到达 c 的梯度上。',
    "h = o ⊙ tanh(c): on the way from h to c multiply by tanh's local gradient 1 − tanh(c)².":
        'h = o ⊙ tanh(c)：从 h 到 c 的路上，要乘以 tanh 的局部梯度 1 − tanh(c)²。',
    'the cell state carries gradient back in time too: pass dc_prev of step t+1 as dc_next of step t (0 at the last step).':
        '记忆元状态也把梯度沿时间往回传：把第 t+1 步的 dc_prev 作为第 t 步的 dc_next（最后一步为 0）。',
    'dx: shape {padded} is the shape of the *padded* input: the padding is not part of x, so cut it off (dx_pad[:, :, p:-p, p:-p]).':
        'dx：形状 {padded} 是*填充后*的输入的形状：填充不是 x 的一部分，所以要把它切掉（dx_pad[:, :, p:-p, p:-p]）。',
    'x 4×4 with ties, 2×2 windows, stride 2':
        '有相等元素的 x 4×4，2×2 窗口，步长 2',
    'the same x, overlapping 2×2 windows with stride 1':
        '同一个 x，步长为 1 的重叠 2×2 窗口',
    'x (1, 2, 5, 5), w (3, 2, 3, 3), stride 1, pad 1':
        'x (1, 2, 5, 5)，w (3, 2, 3, 3)，步长 1，填充 1',
    'x (2, 2, 5, 5), w (2, 2, 3, 3), stride 2, pad 1':
        'x (2, 2, 5, 5)，w (2, 2, 3, 3)，步长 2，填充 1',
    'x 5×5, w 3×3, stride 2 (dout 2×2)':
        'x 5×5，w 3×3，步长 2（dout 2×2）',
    'at a tie only the *first* maximum of the window (row by row, like np.argmax) gets the gradient; giving it to every tied pixel counts it twice.':
        '相等时只有窗口中*第一个*最大值（逐行，与 np.argmax 一样）得到梯度；把梯度给每个相等的像素，就把它算了两次。',
    'windows overlap: a pixel that is the maximum of several windows gets the sum of their gradients (+=, not =).':
        '窗口有重叠：一个像素是几个窗口的最大值时，它得到这些窗口的梯度之和（用 +=，不用 =）。',
    'max routes the gradient to the maximum only; the other pixels of the window get 0.':
        'max 只把梯度路由给最大值；窗口中的其他像素得到 0。',
    'b[f] is added at every position of every image: db[f] sums dout over the images *and* the positions (axes 0, 2 and 3).':
        'b[f] 被加到每张图像的每个位置上：db[f] 要把 dout 对所有图像*和*所有位置求和（第 0、2、3 轴）。',
    'db sums over the positions and the images, not their mean.':
        'db 是对所有位置和所有图像求和，而不是求平均。',
    'with stride s, put s − 1 zeros between the entries of dout (dilate) before the full convolution with the rotated kernel.':
        '步长为 s 时，先在 dout 的元素之间插入 s − 1 个零（扩张），再与旋转后的卷积核做全卷积。',
    'random (2, 3, 6, 6) with many ties, 3×3 windows, stride 1':
        '随机的 (2, 3, 6, 6)，有许多相等元素，3×3 窗口，步长 1',
    'random (1, 2, 7, 7), 3×3 windows, stride 2':
        '随机的 (1, 2, 7, 7)，3×3 窗口，步长 2',
    'random x (2, 3, 7, 6), w (4, 3, 3, 2), stride 2, pad 1':
        '随机的 x (2, 3, 7, 6)、w (4, 3, 3, 2)，步长 2，填充 1',
    'random x (3, 1, 6, 6), w (2, 1, 2, 2), stride 2, pad 0':
        '随机的 x (3, 1, 6, 6)、w (2, 1, 2, 2)，步长 2，填充 0',
    'random x 7×6, w 2×3, stride 2':
        '随机的 x 7×6、w 2×3，步长 2',
    'random x 8×8, w 3×3, stride 3 (the last row and column are in no window)':
        '随机的 x 8×8、w 3×3，步长 3（最后一行和最后一列不在任何窗口中）',
    'random N = 3, D = 2, H = 4':
        '随机的 N = 3、D = 2、H = 4',
    'random T = 5, N = 2, D = 2, H = 3':
        '随机的 T = 5、N = 2、D = 2、H = 3',
    # engine errors students meet in lessons and widgets (gates.py, graph.py)
    '{gate}.backward() was called before forward(): call forward(...) first so the gate can cache its inputs.':
        '在 forward() 之前调用了 {gate}.backward()：请先调用 forward(...)，让门缓存它的输入。',
    "{gate}.backward: the upstream gradient has shape {shape} but forward returned shape {out_shape}; upstream is dL/d(output) and must have the output's shape.":
        '{gate}.backward：上游梯度的形状是 {shape}，但 forward 返回的形状是 {out_shape}；上游梯度是 dL/d(输出)，必须与输出形状相同。',
    '{gate}: cannot combine shapes {sx} and {sy}; elementwise gates need equal shapes or shapes that broadcast (trailing dimensions equal or 1).':
        '{gate}：无法组合形状 {sx} 和 {sy}；逐元素的门要求形状相同，或可以广播（末尾各维相等或为 1）。',
    'ExpGate: exp overflows float64 for inputs above {limit:.2f}; got max input {largest:g}.':
        'ExpGate：输入大于 {limit:.2f} 时 exp 会超出 float64 的范围（溢出）；得到的最大输入是 {largest:g}。',
    'LogGate: log needs positive inputs (x > 0); got {value}.':
        'LogGate：log 需要正的输入（x > 0）；得到 {value}。',
    'LogGate: log needs positive inputs (x > 0); got min {value}.':
        'LogGate：log 需要正的输入（x > 0）；得到的最小值是 {value}。',
    'ReciprocalGate: 1/x is undefined at x = 0; got an input equal to 0.':
        'ReciprocalGate：1/x 在 x = 0 处没有定义；有一个输入等于 0。',
    'PowerGate: x**{p:g} with a non-integer exponent needs x >= 0; got a negative input.':
        'PowerGate：指数不是整数时，x**{p:g} 需要 x >= 0；得到了负的输入。',
    'PowerGate: x**{p:g} has no finite derivative at x = 0; got an input equal to 0.':
        'PowerGate：x**{p:g} 在 x = 0 处的导数不是有限值；有一个输入等于 0。',
    'PowerGate: x**{p:g} overflows float64 for x = {x:g}.':
        'PowerGate：x = {x:g} 时 x**{p:g} 超出 float64 的范围（溢出）。',
    'PowerGate: x**{p:g} overflows float64 for inputs up to {largest:g} in magnitude.':
        'PowerGate：输入的绝对值最大为 {largest:g}，x**{p:g} 超出 float64 的范围（溢出）。',
    'MatMulGate: @ needs arrays with at least one dimension; got shapes {w} and {x} (use * to multiply by a number).':
        'MatMulGate：@ 需要至少一维的数组；得到的形状是 {w} 和 {x}（与一个数相乘请用 *）。',
    'MatMulGate: @ supports 1-D and 2-D arrays; got shapes {w} and {x} (reshape to 2-D first).':
        'MatMulGate：@ 只支持一维和二维数组；得到的形状是 {w} 和 {x}（请先 reshape 成二维）。',
    'MatMulGate: shapes {w} and {x} do not align for @: the left operand has {columns} columns but the right one has {rows} rows.':
        'MatMulGate：形状 {w} 和 {x} 无法做 @：左边的操作数有 {columns} 列，右边的却有 {rows} 行。',
    'SumGate: axis={axis!r} is not valid for an input of shape {shape}; give distinct axes between {low} and {high}.':
        'SumGate：对形状为 {shape} 的输入，axis={axis!r} 无效；请给出 {low} 到 {high} 之间互不相同的轴。',
    'division by zero: {node!r} / 0':
        '除以零：{node!r} / 0',
    'x ** p needs a number p (got {kind}); for a variable exponent write bl.exp(p * bl.log(x)).':
        'x ** p 需要一个数 p（得到的是 {kind}）；指数是变量时请写 bl.exp(p * bl.log(x))。',
    'c ** node is not supported; write bl.exp(node * math.log(c)).':
        '不支持 c ** node；请写 bl.exp(node * math.log(c))。',
    '{gate} produced a non-finite value (inf or NaN) from inputs ({shown}); the result overflows float64.':
        '{gate} 由输入（{shown}）算出了非有限值（inf 或 NaN）；结果超出了 float64 的范围（溢出）。',
    'backward() seeds dL/dL = 1.0 only for a scalar output, but this output has shape {shape}. Reduce it first (e.g. .sum() or .mean()), or pass seed=an array of shape {shape}.':
        'backward() 只对标量输出把起始梯度设为 dL/dL = 1.0，但这个输出的形状是 {shape}。请先把它化为标量（例如 .sum() 或 .mean()），或者传入 seed=形状为 {shape} 的数组。',
    'backward(seed=...): the seed has shape {seed} but the output has shape {shape}; they must match.':
        'backward(seed=...)：seed 的形状是 {seed}，输出的形状却是 {shape}；两者必须一致。',
    'leaf {name!r}':
        '叶子节点 {name!r}',
    '{sender} sent a non-finite gradient (NaN or inf) to {where}':
        '{sender} 向 {where} 传回了非有限的梯度（NaN 或 inf）',
    'the gradients reaching {where} from several branches add up to a non-finite gradient (NaN or inf)':
        '从几条分支到达 {where} 的梯度相加后不是有限值（NaN 或 inf）',
    'backward: {how} (value {value}). Check for overflow upstream, e.g. exp of a large number, 1/x near 0 or a learning rate that is too large.':
        '反向传播：{how}（值为 {value}）。请检查上游是否溢出，例如对很大的数取 exp、x 接近 0 时的 1/x，或者学习率太大。',
    # the grader's verdicts on the hidden tests (sandbox/verdicts.py)
    '{task}: hidden tests pass (judged by the grader, outside the notebook).':
        '{task}：隐藏测试通过（由评分程序在笔记本之外判定）。',
    '{task}: the hidden tests did not report a valid result ({problem}). This part scores 0 and the notebook is flagged for review.':
        '{task}：隐藏测试没有报告有效的结果（{problem}）。这一部分得 0 分，笔记本已标记，等待教师复核。',
    '{task}: hidden tests failed (judged by the grader, outside the notebook).':
        '{task}：隐藏测试未通过（由评分程序在笔记本之外判定）。',
    'no verdict':
        '没有判定结果',
    '{owner}: {name} must be a finite number >= 0, got {value!r}.':
        '{owner}：{name} 必须是 >= 0 的有限数，实际得到 {value!r}。',
    # backprop_lab.values (input checks of var(), constants, gates and layers)
    ' (True/False are not numbers here: write 1.0 or 0.0)':
        '（这里 True/False 不算数：请写 1.0 或 0.0）',
    '{kind} of dtype {dtype}':
        'dtype 为 {dtype} 的 {kind}',
    '{owner}: expected a number or a numpy array of numbers, got {kind} {value!r}{hint}.':
        '{owner}：需要一个数，或由数组成的 numpy 数组，得到的却是 {kind} {value!r}{hint}。',
    '{owner}: {what} must be a numpy array of numbers, got {kind} {value!r}{hint}.':
        '{owner}：{what} 必须是由数组成的 numpy 数组，得到的却是 {kind} {value!r}{hint}。',
    '{owner}: expected a number or a numpy array: a value is too large for float64 (about ±1.8e308 at most).':
        '{owner}：需要一个数或 numpy 数组：其中有一个值超出了 float64 的范围（最大约 ±1.8e308）。',
    '{owner}: {what} must be a numpy array: a value is too large for float64 (about ±1.8e308 at most).':
        '{owner}：{what} 必须是 numpy 数组：其中有一个值超出了 float64 的范围（最大约 ±1.8e308）。',
    '{owner}: expected a number or a numpy array of real numbers, got {kind}.':
        '{owner}：需要一个数，或由实数组成的 numpy 数组，得到的却是 {kind}。',
    '{owner}: {what} must be a numpy array of real numbers, got {kind}.':
        '{owner}：{what} 必须是由实数组成的 numpy 数组，得到的却是 {kind}。',
    '{what}: value must be finite; got {value}.':
        '{what}：值必须是有限数；得到的是 {value}。',
    '{what}: expected a number or a numpy array, got a Node ({node!r}); use the node directly in your expression.':
        '{what}：需要一个数或 numpy 数组，得到的却是一个节点（{node!r}）；请直接在表达式中使用这个节点。',
    '{what}: all values must be finite; got NaN or inf in an array of shape {shape}.':
        '{what}：所有值都必须是有限数；形状为 {shape} 的数组中有 NaN 或 inf。',
    '{owner}: {what} contains NaN or inf (shape {shape}); every value must be finite.':
        '{owner}：{what} 中有 NaN 或 inf（形状 {shape}）；每个值都必须是有限数。',
    '{owner}: {what} must have shape {expected}; got shape {shape}.':
        '{owner}：{what} 的形状必须是 {expected}；得到的形状是 {shape}。',
    '{owner}.backward() was called before forward(): call forward(x) first so the layer can cache its input.':
        '在 forward() 之前调用了 {owner}.backward()：请先调用 forward(x)，让这一层缓存它的输入。',
    'dout (the upstream gradient)':
        'dout（上游梯度）',
    "{owner}.backward: dout has shape {shape} but forward returned shape {out_shape}; the upstream gradient must have the output's shape.":
        '{owner}.backward：dout 的形状是 {shape}，但 forward 返回的形状是 {out_shape}；上游梯度必须和输出的形状相同。',
    '{owner}: {name} must be an integer >= {minimum}, got {value!r}.':
        '{owner}：{name} 必须是 >= {minimum} 的整数，得到的是 {value!r}。',
    '{owner}: {name} must be a number, got {kind} {value!r} (True/False are not numbers here).':
        '{owner}：{name} 必须是一个数，得到的却是 {kind} {value!r}（这里 True/False 不算数）。',
    '{owner}: {name} must be a number, got {kind} {value!r}.':
        '{owner}：{name} 必须是一个数，得到的却是 {kind} {value!r}。',
    '{owner}: {name} is too large for float64 (about ±1.8e308 at most); got an integer of {digits} digits.':
        '{owner}：{name} 超出了 float64 的范围（最大约 ±1.8e308）；得到的是一个 {digits} 位的整数。',
    '{owner}: {name} must be finite; got {number}.':
        '{owner}：{name} 必须是有限数；得到的是 {number}。',
    'value':
        '值',
    'the constant c':
        '常数 c',
    'the factor a':
        '系数 a',
    'the exponent p':
        '指数 p',
    '{owner}: inputs must be numbers or numpy arrays, got {kind}; convert it with np.asarray(...).':
        '{owner}：输入必须是数或 numpy 数组，得到的却是 {kind}；请用 np.asarray(...) 转换。',
    '{owner}: masked arrays are not supported (the engine would ignore the mask and use the hidden values); pass value.filled(fill) or value.compressed() instead.':
        '{owner}：不支持掩码数组（引擎会忽略掩码，用上被遮住的值）；请改为传入 value.filled(fill) 或 value.compressed()。',
    # backprop_lab.layers
    'Affine: W must be a 2-D array of shape (inputs, outputs); got shape {shape}.':
        'Affine：W 必须是形状为 (输入数, 输出数) 的二维数组；得到的形状是 {shape}。',
    'Affine: b must have shape ({outputs},), one bias per output column of W (W has shape {W_shape}); got shape {shape}.':
        'Affine：b 的形状必须是 ({outputs},)，W 的每个输出列一个偏置（W 的形状是 {W_shape}）；得到的形状是 {shape}。',
    'Affine: x must have shape (N, {inputs}) — one example per row — got shape {shape}; for one example use x.reshape(1, -1).':
        'Affine：x 的形状必须是 (N, {inputs})——每行一个样本——得到的形状是 {shape}；只有一个样本时请用 x.reshape(1, -1)。',
    'Affine: x has {got} features per row but W expects {inputs} (W has shape {W_shape}).':
        'Affine：x 每行有 {got} 个特征，但 W 需要 {inputs} 个（W 的形状是 {W_shape}）。',
    'Affine: x has {got} features per example (shape {example} flattened) but W expects {inputs} (W has shape {W_shape}).':
        'Affine：x 每个样本有 {got} 个特征（形状 {example} 展平后），但 W 需要 {inputs} 个（W 的形状是 {W_shape}）。',
    '{loss}.backward() was called before forward(): call forward(scores, targets) first.':
        '在 forward() 之前调用了 {loss}.backward()：请先调用 forward(scores, targets)。',
    '{loss}.backward: dout must be a finite number (the loss is a scalar), got {dout!r}.':
        '{loss}.backward：dout 必须是一个有限数（损失是标量），得到的是 {dout!r}。',
    'MSELoss: scores have shape {scores} but targets have shape {targets}; they must be equal.':
        'MSELoss：scores 的形状是 {scores}，targets 的形状却是 {targets}；两者必须相同。',
    'MSELoss: scores are empty (shape {shape}); the mean needs at least one entry.':
        'MSELoss：scores 是空的（形状 {shape}）；求平均值至少需要一个元素。',
    'SoftmaxCrossEntropy: scores must have shape (N, C) with N >= 1 examples and C >= 1 classes; got shape {shape}.':
        'SoftmaxCrossEntropy：scores 的形状必须是 (N, C)，N >= 1 个样本、C >= 1 个类别；得到的形状是 {shape}。',
    'SoftmaxCrossEntropy: a 1-D targets array must hold integer class labels; got dtype {dtype}.':
        'SoftmaxCrossEntropy：一维的 targets 数组必须是整数类别标签；得到的 dtype 是 {dtype}。',
    'SoftmaxCrossEntropy: got {labels} labels for {n} rows of scores (scores have shape {shape}).':
        'SoftmaxCrossEntropy：scores 有 {n} 行，标签却有 {labels} 个（scores 的形状是 {shape}）。',
    'SoftmaxCrossEntropy: labels must lie in [0, {last}] for {c} classes; got labels from {low} to {high}.':
        'SoftmaxCrossEntropy：{c} 个类别的标签必须在 [0, {last}] 之内；得到的标签从 {low} 到 {high}。',
    'SoftmaxCrossEntropy: targets must be N integer labels or an (N, C) array like the scores {scores}; got shape {shape}.':
        'SoftmaxCrossEntropy：targets 必须是 N 个整数标签，或者和 scores {scores} 一样的 (N, C) 数组；得到的形状是 {shape}。',
    'SoftmaxCrossEntropy: each row of (N, C) targets must be a probability distribution (non-negative, summing to 1).':
        'SoftmaxCrossEntropy：(N, C) 的 targets 每一行都必须是概率分布（非负，和为 1）。',
    'Sequential: item {i} ({kind}) is not a layer; a layer needs forward(x) and backward(dout) methods.':
        'Sequential：第 {i} 项（{kind}）不是层；层需要有 forward(x) 和 backward(dout) 方法。',
    'Sequential: item {i} is the loss {loss}; keep the loss outside the model and pass it to train().':
        'Sequential：第 {i} 项是损失函数 {loss}；请把损失函数放在模型之外，传给 train()。',
    '{kind} has no params dict; expected a layer or a Sequential model.':
        '{kind} 没有 params 字典；需要一个层或一个 Sequential 模型。',
    'SGD.step: parameter {key!r} of {kind} has no gradient yet; call backward() before step().':
        'SGD.step：{kind} 的参数 {key!r} 还没有梯度；请在 step() 之前调用 backward()。',
    'SGD.step: parameter {key!r} of {kind} became inf or NaN (lr={lr:g}, largest |gradient| {largest:.3g}); the learning rate is probably too large, or the gradients exploded.':
        'SGD.step：{kind} 的参数 {key!r} 变成了 inf 或 NaN（lr={lr:g}，最大的 |梯度| 为 {largest:.3g}）；多半是学习率太大，或者发生了梯度爆炸。',
    'mlp: sizes must list at least two positive integers (inputs, ..., outputs), got {sizes!r}.':
        'mlp：sizes 至少要列出两个正整数（输入数, ..., 输出数），得到的是 {sizes!r}。',
    'train: X must have shape (N, ...) and y one target per row; got X of shape {X_shape} and y of shape {y_shape}.':
        'train：X 的形状必须是 (N, ...)，y 每行一个目标值；得到的 X 形状是 {X_shape}，y 形状是 {y_shape}。',
    # backprop_lab.conv
    '(N, C, H, W) — a batch of images with channels — and for one grey image use x.reshape(1, 1, H, W)':
        '(N, C, H, W)——一批带通道的图像——只有一张灰度图时请用 x.reshape(1, 1, H, W)',
    'Conv2D: W must have shape (F, C, HH, WW) — F filters of C channels — got shape {shape}.':
        'Conv2D：W 的形状必须是 (F, C, HH, WW)——F 个卷积核，每个 C 个通道——得到的形状是 {shape}。',
    'Conv2D: b must have shape ({filters},), one bias per filter (W has shape {W_shape}); got shape {shape}.':
        'Conv2D：b 的形状必须是 ({filters},)，每个卷积核一个偏置（W 的形状是 {W_shape}）；得到的形状是 {shape}。',
    'Conv2D: x has {c} channels (shape {x_shape}) but W expects {wc} (W has shape {W_shape}).':
        'Conv2D：x 有 {c} 个通道（形状 {x_shape}），但 W 需要 {wc} 个（W 的形状是 {W_shape}）。',
    'Conv2D: the {kh}×{kw} kernel is larger than the padded input {hp}×{wp} (x has shape {x_shape}, pad={pad}).':
        'Conv2D：{kh}×{kw} 的卷积核比填充后的输入 {hp}×{wp} 还大（x 的形状是 {x_shape}，pad={pad}）。',
    'MaxPool2D: the {size}×{size} window does not fit in the {h}×{w} input (x has shape {shape}).':
        'MaxPool2D：{size}×{size} 的窗口放不进 {h}×{w} 的输入（x 的形状是 {shape}）。',
    '{name}: {what} must be a non-empty 2-D array (one channel), got shape {shape}.':
        '{name}：{what} 必须是非空的二维数组（一个通道），得到的形状是 {shape}。',
    'correlate2d_valid: kernel {kernel} is larger than x {x}.':
        'correlate2d_valid：卷积核 {kernel} 比 x {x} 还大。',
    '{name}: an input of shape {input_shape} with a {kernel_shape} kernel and stride {stride} does not give an output of shape {dout_shape}.':
        '{name}：形状为 {input_shape} 的输入，用 {kernel_shape} 的卷积核、步长 {stride}，得不到形状为 {dout_shape} 的输出。',
    'input_gradient_terms: need a kernel {kernel_shape} no larger than the input {input_shape}, all sizes >= 1.':
        'input_gradient_terms：卷积核 {kernel_shape} 不能比输入 {input_shape} 大，且所有尺寸都要 >= 1。',
    # backprop_lab.rnn
    '{name}: Whh must have shape {need} for H hidden units; got shape {shape}.':
        '{name}：H 个隐藏单元时 Whh 的形状必须是 {need}；得到的形状是 {shape}。',
    '{name}: Wxh must have shape (D, {columns}) — inputs to {times}H with H = {H} from Whh {Whh_shape}; got shape {shape}.':
        '{name}：Wxh 的形状必须是 (D, {columns})——从输入到 {times}H，H = {H} 由 Whh {Whh_shape} 得出；得到的形状是 {shape}。',
    '{name}: b must have shape ({columns},); got shape {shape}.':
        '{name}：b 的形状必须是 ({columns},)；得到的形状是 {shape}。',
    '{name}: {what} must have shape (N, H) = ({n}, {H}) for a batch of {n}; got shape {shape}.':
        '{name}：批大小为 {n} 时 {what} 的形状必须是 (N, H) = ({n}, {H})；得到的形状是 {shape}。',
    '{name}: xs must have shape (T, N, D) = (steps, batch, {D}) with T >= 1; got shape {shape}.':
        '{name}：xs 的形状必须是 (T, N, D) = (时间步数, 批大小, {D})，且 T >= 1；得到的形状是 {shape}。',
    '{name}.backward() was called before forward(): call forward(xs, h0) first.':
        '在 forward() 之前调用了 {name}.backward()：请先调用 forward(xs, h0)。',
    'dhs (the upstream gradients ∂L/∂h_t)':
        'dhs（上游梯度 ∂L/∂h_t）',
    '{name}.backward: dhs has shape {shape} but forward returned hs of shape {out_shape}; give ∂L/∂h_t for every step (zeros where the loss does not look).':
        '{name}.backward：dhs 的形状是 {shape}，但 forward 返回的 hs 形状是 {out_shape}；请给出每个时间步的 ∂L/∂h_t（损失不看的时间步填 0）。',
    'LastStep: hs must have shape (T, N, H); got shape {shape}.':
        'LastStep：hs 的形状必须是 (T, N, H)；得到的形状是 {shape}。',
    'LastStep.backward() was called before forward().':
        '在 forward() 之前调用了 LastStep.backward()。',
    'LastStep.backward: dout has shape {shape}; expected {out_shape}.':
        'LastStep.backward：dout 的形状是 {shape}；应为 {out_shape}。',
    'recurrent_matrix: unknown kind {kind!r}; choose one of {kinds}.':
        'recurrent_matrix：未知的种类 {kind!r}；请从 {kinds} 中选择。',
    'gradient_norms: dh_last must have shape (N, H) = {need}; got shape {shape}.':
        'gradient_norms：dh_last 的形状必须是 (N, H) = {need}；得到的形状是 {shape}。',
    'fitted_rate: need at least two positive norms to fit a rate.':
        'fitted_rate：至少需要两个正的范数才能拟合出比率。',
    'clipping: gradient {i} is None; run backward() first.':
        '梯度裁剪：第 {i} 个梯度是 None；请先运行 backward()。',
    # backprop_lab.rnn_experiments
    'train_adding_problem: unknown model {name!r}; choose from {known}.':
        'train_adding_problem：未知的模型 {name!r}；请从 {known} 中选择。',
    # backprop_lab.render (captions of summarised drawings)
    'Summarised: the {shown:,} nodes nearest the output of {total:,}; each ⋯ is a wire from the {hidden:,} not drawn (draw(..., max_nodes=None) draws all, slowly).':
        '已简化：{total:,} 个节点中只画出离输出最近的 {shown:,} 个；每个 ⋯ 是一条来自未画出的 {hidden:,} 个节点的连线（draw(..., max_nodes=None) 会全部画出，但很慢）。',
    '{tag} → {uses} gates':
        '{tag} → {uses} 个门',
    "{tag} feeds {uses} gates: each gate shows a copy of {tag} (its wire's gradient in red; the total on {tag}'s own wire).":
        '{tag} 输入到 {uses} 个门：每个门旁都画了一份 {tag}（红色是那条连线上的梯度；总梯度在 {tag} 自己的连线上）。',
    # the grader's judge (grading/judge.py, grading/hidden.py)
    'expected results for {cases} cases, got {results}.':
        '应有 {cases} 个用例的结果，实际得到 {results} 个。',
    '{task}: the hidden check could not run (exit code {code}): {stderr}':
        '{task}：隐藏检查无法运行（退出码 {code}）：{stderr}',
    # the sandboxed executor's notes in the graded notebook (sandbox/executor.py)
    'The kernel died while running this cell (os._exit, a segfault, running out of memory ...). It was restarted and the cells above were run again, so the rest of the notebook is still graded.':
        '内核在运行这个单元格时崩溃了（os._exit、段错误、内存耗尽……）。内核已重启，上面的单元格已重新运行，所以笔记本的其余部分照常评分。',
    'The kernel died after this cell finished (exit(), a timer or a thread calling os._exit ...). This cell is left out when the cells above later cells are run again, so the rest of the notebook is still graded.':
        '内核在这个单元格运行完之后崩溃了（exit()、定时器或线程调用了 os._exit……）。为后面的单元格重新运行前面的单元格时会跳过这个单元格，所以笔记本的其余部分照常评分。',
    'This cell left {n} processes behind (a fork bomb?). They were killed, and the cell is left out when the cells above later cells are run again in a new kernel, so the rest of the notebook is still graded.':
        '这个单元格留下了 {n} 个进程（fork 炸弹？）。这些进程已被终止；在新内核中为后面的单元格重新运行前面的单元格时会跳过这个单元格，所以笔记本的其余部分照常评分。',
    'This cell did not stop when it was interrupted after the time limit, so its kernel was stopped; a new kernel ran the cells above again and grading went on.':
        '这个单元格超时后被中断，却没有停下来，所以它的内核被停止了；新的内核重新运行了上面的单元格，评分继续进行。',
    'Not run: the kernel died {n} times in this notebook.':
        '未运行：这个笔记本中内核已崩溃 {n} 次。',
    'This cell went over its time limit and was interrupted.':
        '这个单元格超过了时间限制，已被中断。',
    'This cell used more than {seconds:g} s of CPU time (the kernel and every process it started, counted together) and was interrupted.':
        '这个单元格用了超过 {seconds:g} 秒的 CPU 时间（内核及其启动的所有进程合计），已被中断。',
    'This cell ran for more than {seconds:g} s of wall-clock time while using little CPU (sleeping, or waiting for something that never came) and was interrupted.':
        '这个单元格运行了超过 {seconds:g} 秒的实际时间，却几乎没有使用 CPU（在休眠，或在等待永远不会到来的东西），已被中断。',
    '[output cut: more than {cell} bytes in this cell or {notebook} in the notebook]':
        '[输出已截断：这个单元格超过 {cell} 字节，或整个笔记本超过 {notebook} 字节]',
    'no verdict of this grading run is attached to the cell':
        '这个单元格上没有本次评分的判定结果',
    # why a test cell's hidden results were not judged (sandbox/verdicts.py)
    'no hidden results were published: the test cell was changed, skipped or its check patched':
        '没有发布隐藏测试的结果：测试单元格被改动、跳过，或者它的检查被篡改了',
    '{n} hidden results were published instead of one':
        '发布了 {n} 份隐藏测试结果，而不是一份',
    'the published results are malformed':
        '发布的结果格式不对',
    "the results are for {task!r}, not for this cell's task":
        '这些结果属于 {task!r}，不属于这个单元格的任务',
    'the results come from another grading run':
        '这些结果来自另一次评分',
    'the results could not be judged ({kind})':
        '这些结果无法判定（{kind}）',
    # backprop_lab.graph (the engine's other errors: nodes, graphs, a gate's forward/backward)
    'A Node has no truth value; compare node.value instead.':
        '节点没有真假值；请比较 node.value。',
    'mean() of an empty array (shape {shape}) is undefined.':
        '空数组（形状 {shape}）的 mean() 没有定义。',
    'an array of shape {shape}':
        '形状为 {shape} 的数组',
    'Node.{name}(): {key}={shown} is not supported; the engine computes in float64 and returns a new Node (use node.{name}(axis=..., keepdims=...)).':
        'Node.{name}()：不支持 {key}={shown}；引擎用 float64 计算并返回一个新节点（请用 node.{name}(axis=..., keepdims=...)）。',
    'var(): name must be a string, got {kind}.':
        'var()：name 必须是字符串，得到的却是 {kind}。',
    '{gate}.forward returned {kind}; a gate must return a float or a numpy array.':
        '{gate}.forward 返回了 {kind}；门必须返回一个浮点数或 numpy 数组。',
    '{n} gradients':
        '{n} 个梯度',
    'a single {kind}':
        '单个 {kind}',
    '{gate}.backward returned {got} for {n} input; return a tuple with one gradient per input, e.g. `return (dx,)` or `return dx, dy`.':
        '{gate}.backward 对 {n} 个输入返回了 {got}；请返回一个元组，每个输入一个梯度，例如 `return (dx,)` 或 `return dx, dy`。',
    '{gate}.backward returned {got} for {n} inputs; return a tuple with one gradient per input, e.g. `return (dx,)` or `return dx, dy`.':
        '{gate}.backward 对 {n} 个输入返回了 {got}；请返回一个元组，每个输入一个梯度，例如 `return (dx,)` 或 `return dx, dy`。',
    '{gate}.backward, input {index}: the gradient is None; return dL/d(input), an array shaped like the input (zeros if the input does not matter).':
        '{gate}.backward，输入 {index}：梯度是 None；请返回 dL/d(输入)，一个和输入形状相同的数组（输入不影响结果时填 0）。',
    '{gate}.backward, input {index}: the gradient is a {kind}; expected a number or a numpy array.':
        '{gate}.backward，输入 {index}：梯度是 {kind}；应为一个数或 numpy 数组。',
    '{gate}.backward, input {index}: the gradient has shape {shape} but the input has shape {input_shape}; a gradient has the shape of what it is the gradient of.':
        '{gate}.backward，输入 {index}：梯度的形状是 {shape}，输入的形状却是 {input_shape}；梯度的形状和它所对应的量相同。',
    'Graph() needs the output Node of an expression, got {kind}.':
        'Graph() 需要一个表达式的输出节点，得到的却是 {kind}。',
    'Graph: two different leaves are both named {name!r}; give each var a unique name.':
        'Graph：两个不同的叶节点都叫 {name!r}；请给每个 var 取一个不同的名字。',
    'this graph has no leaf named {name!r}; its leaves are {names}.':
        '这个计算图没有名为 {name!r} 的叶节点；它的叶节点是 {names}。',
    'Graph.forward: no leaf named {name!r}; the leaves are {names}.':
        'Graph.forward：没有名为 {name!r} 的叶节点；叶节点是 {names}。',
    # backprop_lab.gradcheck
    'numerical_gradient: x must be a float or a numpy array, got {kind}.':
        'numerical_gradient：x 必须是浮点数或 numpy 数组，得到的却是 {kind}。',
    'numerical_gradient: x must have dtype float64 so that x ± h is exact enough, got {dtype}; use x.astype(np.float64).':
        'numerical_gradient：x 的 dtype 必须是 float64，x ± h 才足够精确；得到的是 {dtype}，请用 x.astype(np.float64)。',
    'numerical_gradient: f must return a scalar, but {what} has shape {shape}; reduce it (e.g. sum of output * upstream).':
        'numerical_gradient：f 必须返回标量，但 {what} 的形状是 {shape}；请把它化为标量（例如 输出 * 上游梯度 之和）。',
    'rel_error: shapes differ, {a} vs {b}.':
        'rel_error：形状不同，{a} 与 {b}。',
    'check_gate: {gate}.backward must return one gradient per input ({n}), as a tuple; got {kind}.':
        'check_gate：{gate}.backward 必须以元组返回每个输入的梯度（{n} 个）；得到的是 {kind}。',
    'check_layer: {layer}.backward did not store the gradient of parameter {name!r}; set self.d{name} in backward.':
        'check_layer：{layer}.backward 没有保存参数 {name!r} 的梯度；请在 backward 中设置 self.d{name}。',
    # backprop_lab.modes (dual numbers, forward mode)
    'Dual: {what} must be a real number, got {kind} {value!r}.':
        'Dual：{what} 必须是实数，得到的却是 {kind} {value!r}。',
    'Dual: {what} must be finite, got {value}.':
        'Dual：{what} 必须是有限数，得到的是 {value}。',
    '{gate} produced a non-finite value ({value}) from inputs ({shown}); the result overflows float64.':
        '{gate} 由输入（{shown}）算出了非有限值（{value}）；结果超出了 float64 的范围（溢出）。',
    '{gate}: cannot mix a Dual (forward mode) with a graph Node (reverse mode) in one expression.':
        '{gate}：不能在同一个表达式里混用 Dual（前向模式）和计算图节点（反向模式）。',
    '{gate}: expected a Dual or a number, got {kind}.':
        '{gate}：需要 Dual 或一个数，得到的却是 {kind}。',
    'Dual: division by zero ({dual!r} / 0).':
        'Dual：除以零（{dual!r} / 0）。',
    'Dual: c ** x needs a positive base c, got {base:g}.':
        'Dual：c ** x 需要正的底数 c，得到的是 {base:g}。',
    'sqrt(): needs x >= 0, got {x!r}.':
        'sqrt()：需要 x >= 0，得到的是 {x!r}。',
    '{what}: xs must be a non-empty 1-D sequence of numbers (the n inputs of f: Rⁿ → R); got shape {shape}.':
        '{what}：xs 必须是非空的一维数列（f: Rⁿ → R 的 n 个输入）；得到的形状是 {shape}。',
    '{what}: f must return one number built from its inputs (f: Rⁿ → R); got {kind}.':
        '{what}：f 必须返回由输入算出的一个数（f: Rⁿ → R）；得到的却是 {kind}。',
    'measure_costs: ns must list positive input counts, got an empty list.':
        'measure_costs：ns 必须列出正的输入个数，得到的却是空列表。',
    # backprop_lab.datasets
    'regression_target: X must have shape (N, D), got {shape}.':
        'regression_target：X 的形状必须是 (N, D)，得到的是 {shape}。',
    'minibatches: X has {rows} rows but y has {targets}.':
        'minibatches：X 有 {rows} 行，y 却有 {targets} 行。',
    'minibatches: seed={seed!r} picks a random order but shuffle=False asks for the rows in order; give one or the other.':
        'minibatches：seed={seed!r} 要随机顺序，shuffle=False 却要按原顺序取行；两者只能给一个。',
    'train_test_split: X has {rows} rows but y has {targets}.':
        'train_test_split：X 有 {rows} 行，y 却有 {targets} 行。',
    'train_test_split: test_fraction must lie strictly between 0 and 1, got {test_fraction!r}.':
        'train_test_split：test_fraction 必须严格介于 0 和 1 之间，得到的是 {test_fraction!r}。',
    'train_test_split: {rows} rows with test_fraction={test_fraction} leaves an empty train or test part.':
        'train_test_split：{rows} 行、test_fraction={test_fraction} 会让训练集或测试集为空。',
    # backprop_lab.practice (what a student typed into a drill or a checked question)
    '{text} is not a finite number.':
        '{text} 不是有限数。',
    'expected a number, got {kind}.':
        '需要一个数，得到的却是 {kind}。',
    '{text!r} divides by zero.':
        '{text!r} 除以了零。',
    'I could not read {text!r} as a number: type it like -4, 0.25 or 1/4.':
        '无法把 {text!r} 读成一个数：请写成 -4、0.25 或 1/4 这样。',
    'a shape is a tuple of positive integers, got {text!r}.':
        '形状是由正整数组成的元组，得到的却是 {text!r}。',
    'expected a shape such as (2, 3), got {kind}.':
        '需要一个形状，例如 (2, 3)，得到的却是 {kind}。',
    'type a shape such as (2, 3), 2x3 or 3.':
        '请输入一个形状，例如 (2, 3)、2x3 或 3。',
    'I could not read {text!r} as a shape: type it like (2, 3), 2x3 or 3.':
        '无法把 {text!r} 读成一个形状：请写成 (2, 3)、2x3 或 3 这样。',
    'no entries given.':
        '没有给出任何元素。',
    'every row needs the same number of entries.':
        '每一行的元素个数必须相同。',
}
