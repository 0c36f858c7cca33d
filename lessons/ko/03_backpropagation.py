# %% [markdown]
# # 3강 · 역전파 (Backpropagation)
#
# **학습 목표.** 이 강의를 마치면
#
# 1. 가중치 하나에 대한 손실의 **편미분 (partial derivative)** 이 무슨 뜻인지 설명할 수 있습니다.
# 2. 아주 작은 신경망에서 노드마다 **연쇄 법칙 (chain rule)** 을 적용할 수 있습니다. 국소 미분값에
#    위에서 내려온 기울기를 곱하는 것입니다.
# 3. 기울기를 세 가지 방법으로 확인할 수 있습니다. 손으로, stepnn의 `backward()` 로, 그리고 유한
#    차분 (finite differences, `sn.gradcheck`) 으로.
# 4. ChainRule 대시보드에서 기울기가 노드를 하나씩 거슬러 가는 모습을 따라갈 수 있습니다.

# %% [markdown]
# ## 역전파가 계산하는 것
#
# **역전파 (backward propagation)** 는 손실 정보를 순전파와 반대 방향으로, 출력층에서 입력층까지
# 전달합니다. 그리고 모든 가중치 $w$ 에 대해 편미분
#
# $$\frac{\partial L}{\partial w}: \text{ 다른 것은 그대로 두고 } w \text{ 만 조금 바꿀 때 손실이 변하는 빠르기}$$
#
# 를 구합니다. 이 값이 양수이면 $w$ 를 조금 줄일 때, 음수이면 조금 키울 때 손실이 줄어듭니다.
# 경사하강법(4강)은 바로 이 값으로 가중치를 어느 쪽으로 움직일지 정합니다.

# %% [markdown]
# ## 연쇄 법칙
#
# 신경망은 단순한 함수들이 사슬처럼 이어진 것입니다. $L$ 이 $a$ 에, $a$ 가 $z$ 에 달려 있으면
#
# $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}
# \qquad\text{(위에서 온 기울기} \times \text{국소 미분값)}$$
#
# 입니다. 노드마다 자기의 **국소 미분값 (local derivative)** 만 알면 되고, **위에서 온 기울기
# (upstream gradient)** 는 뒤쪽 노드가 넘겨줍니다. 노드를 하나씩 거꾸로 거치며 곱해 나가면 모든
# 가중치의 기울기가 만들어집니다.

# %% [markdown]
# ## 아주 작은 신경망, 노드 하나씩
#
# 입력 1개, 시그모이드를 쓰는 은닉 유닛 1개, 선형 출력 유닛 1개, 제곱 오차입니다.
#
# $$z_1 = w_1 x + b_1,\quad a_1 = \sigma(z_1),\quad z_2 = w_2 a_1 + b_2,\quad \hat y = z_2,\quad
# L = (\hat y - y)^2$$
#
# (실제값이 숫자이고 출력이 선형이며 손실이 제곱 오차이므로, 2강의 표로 보면 회귀입니다.) 이것을
# **계산 그래프 (computation graph)** 로 그리면, 상자 하나가 노드 하나입니다. 값은 왼쪽에서 오른쪽으로
# 흐르고(순전파), 빨간 화살표마다 노드의 출력을 입력으로 미분한 **국소 미분값**이 붙어 있어 오른쪽에서
# 왼쪽으로 쓰입니다(역전파).

# %% [markdown]
# 먼저 순전파입니다. $x = 2$, $y = 1$ 이고 가중치는 직접 골랐습니다.

# %% [markdown]
# 이제 거꾸로 갑니다. 국소 미분값은 다음과 같습니다.
#
# | 노드 | 국소 미분값 |
# |---|---|
# | $L = (\hat y - y)^2$ | $\partial L/\partial \hat y = 2(\hat y - y)$ |
# | $z_2 = w_2 a_1 + b_2$ | $\partial z_2/\partial w_2 = a_1$, $\partial z_2/\partial b_2 = 1$, $\partial z_2/\partial a_1 = w_2$ |
# | $a_1 = \sigma(z_1)$ | $\partial a_1/\partial z_1 = a_1(1 - a_1)$ |
# | $z_1 = w_1 x + b_1$ | $\partial z_1/\partial w_1 = x$, $\partial z_1/\partial b_1 = 1$ |
#
# 그리고 각 기울기는 위에서 온 기울기에 국소 미분값을 곱한 것입니다.

# %% [markdown]
# 한 줄로 풀어 쓰면, 첫 번째 가중치의 기울기는 손실에서 $w_1$ 까지 거슬러 가는 경로를 따라 곱한
# 값입니다.
#
# $$\frac{\partial L}{\partial w_1} = \underbrace{2(\hat y - y)}_{\partial L/\partial \hat y}
# \cdot \underbrace{1}_{\partial \hat y/\partial z_2}
# \cdot \underbrace{w_2}_{\partial z_2/\partial a_1}
# \cdot \underbrace{a_1(1-a_1)}_{\partial a_1/\partial z_1}
# \cdot \underbrace{x}_{\partial z_1/\partial w_1}$$
#
# **연습: 국소 미분값.** 역전파를 하려면 활성화 함수마다 **도함수 (derivative)**, 즉 함수 $a'(z)$ 가
# 필요합니다. 어떤 모양의 배열이든 받도록 두 개를 작성하세요. ReLU의 도함수는 $z > 0$ 인 곳에서 1,
# 나머지에서 0입니다($z = 0$ 에서는 Keras와 PyTorch처럼 0으로 둡니다). 시그모이드의 도함수는
# $\sigma(z)(1 - \sigma(z))$ 입니다(`sn.activations.sigmoid(z)` 가 $\sigma(z)$ 를 줍니다).

# %% [markdown]
# ## stepnn이 내놓는 같은 숫자
#
# 이 가중치로 신경망을 만들고, 샘플 하나에 대해 순전파, 손실 계산, 역전파를 한 번씩 실행해
# 비교합니다. `BackwardRecord` 에는 층마다 `dz`, `da`, `dW`, `db` 가 들어 있습니다.

# %% [markdown]
# ## 세 번째 의견: 유한 차분
#
# 편미분은 극한입니다. $w_1$ 을 아주 작은 $h$ 만큼 올리고 내려서 손실의 변화를 재면
#
# $$\frac{\partial L}{\partial w_1} \approx \frac{L(w_1 + h) - L(w_1 - h)}{2h}$$
#
# 입니다. 이것이 유한 차분입니다.

# %% [markdown]
# $h = 10^{-5}$ 이면 소수점 아래 10자리쯤까지 일치합니다. $h$ 가 너무 크면 접선이 아니라 할선의
# 기울기를 재게 되고, 너무 작으면 그 차이가 부동소수점 반올림에 묻혀 버립니다(아래 해 보기 3번).
# 그러면 마지막 줄이 `False` 가 되는데, 바로 그것이 배울 점입니다.

# %% [markdown]
# ## 노드 하나씩: ChainRule 대시보드
#
# 한 단계 큰 신경망입니다. 입력 2개, 시그모이드 은닉 유닛 2개, 시그모이드 출력 1개, 실제값이 0 또는
# 1인 샘플 하나입니다. 이진 분류이므로 손실함수는 `binary_crossentropy`(2강)입니다. 셀은 이미
# 순전파를 실행해 두었습니다(**모두 순전파**를 누른 것과 같습니다). 모든 노드에 값이 적혀 있고 맨 끝에
# 손실이 있습니다. 이제 **역전파 (노드 1개)** 를 계속 눌러 보세요. 노드마다 대시보드가 숫자를 넣어
# 연쇄 법칙을 써 줍니다.
#
# $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial a} \times \frac{\partial a}{\partial z}$$
#
# 가중합 하나가 끝나면 거기로 들어가는 가중치들의 기울기가 완성되고, 유한 차분과 비교해 확인합니다.
# 그다음 **가중치 갱신**은 매개변수 9개를 모두 움직이고, **모두 순전파**를 누르면 새로운, 더 작은
# 손실이 보입니다. **새 예제**는 다른 입력, 실제값, 가중치를 뽑습니다.

# %% [markdown]
# 대시보드의 그래프는 코드로도 움직일 수 있는 객체입니다. 같은 예제에 대한 역전파 전체를, 노드마다
# 값과 기울기와 함께 보면 다음과 같습니다.

# %% [markdown]
# ## 행렬 형태: 층 전체와 배치 전체를 한꺼번에
#
# 실제 층은 배치에 대해 $z = xW + b$ 를 계산합니다. $x$ 는 $(N, i)$, $W$ 는 $(i, o)$, $z$ 는 $(N, o)$
# 입니다. 연쇄 법칙을 모든 가중치에 적용하고 샘플에 대해 더하면 행렬 곱 세 개가 됩니다. 위에서
# 모양이 $(N, o)$ 인 $dz = \partial L/\partial z$ 가 내려오면
#
# $$dW = x^{\mathsf T}\, dz \;\; (i, o), \qquad db = \sum_{\text{샘플}} dz \;\; (o,), \qquad
# dx = dz\, W^{\mathsf T} \;\; (N, i)$$
#
# 입니다. 가중치 $w_{jk}$ 는 모든 샘플에 관여하므로, 그 기울기는 샘플 $n$ 에 대해 $x_{nj}\,dz_{nk}$ 를
# 더한 것이고, 그 합이 행렬 곱 $x^{\mathsf T} dz$ 입니다. 편향은 샘플마다 1 곱하기 $dz$ 를 더합니다.
# 그리고 $dx$ 는 이 층이 앞 층에 돌려주는 값(앞 층의 $\partial L/\partial a$)입니다.
#
# **값 하나가 두 노드로 들어가면 기울기는 더해집니다.** 입력 $x_j$ 는 층의 유닛 $o$ 개 모두로
# 들어가므로 $dx_j$ 는 그 유닛들에 대한 합입니다: $dx_{nj} = \sum_k dz_{nk}\, w_{jk}$. 가장 작은 예로,
# $a$ 가 두 노드 $q = 3a$ 와 $r = a^2$ 로 들어가고 $L = q + r$ 이라고 합시다. 경로마다 연쇄 법칙이 한
# 조각씩 주고, $\partial L/\partial a = 3 + 2a$ 처럼 조각들을 **더합니다**. 두 번째 조각을 더하지 않고
# 덮어쓰는 역전파는 이것을 틀리는데, 고전적인 버그입니다.

# %% [markdown]
# 이제 실제 2-4-1 신경망의 은닉층과 배치 5개에 세 식을 적용합니다. stepnn의 `backward()` 를
# $x^{\mathsf T}dz$, $\sum dz$, $dz\,W^{\mathsf T}$ 와 비교합니다(은닉층에서 $x$ 는 신경망의 입력입니다).

# %% [markdown]
# ## 실제 신경망: `sn.gradcheck`
#
# 같은 확인을 더 큰 신경망의 모든 가중치에 한꺼번에 합니다. `tanh` 와 `softmax` 를 쓰는 4-6-3
# 신경망과, 세 품종의 붓꽃 (iris) 21송이입니다(실제값이 클래스 번호인 다중 분류이므로
# `sparse_categorical_crossentropy`, 2강). `gradcheck` 는 역전파의 기울기를 중앙 유한 차분과 비교하고,
# 매개변수 배열마다 가장 큰 상대 오차를 알려 줍니다.

# %% [markdown]
# 오차 값까지 담긴 전체 보고서입니다(약 $10^{-10}$ 에서 $10^{-9}$: 실수가 아니라 부동소수점
# 반올림입니다).

# %% [markdown]
# ## 실제 신경망에서 여러분의 역전파
#
# **연습: `dense_backward`.** 행렬 형태의 세 식을 작성하세요. 층의 입력 `x` $(N, i)$, 가중치 `W`
# $(i, o)$, `dz` $(N, o)$ 를 받아 `(dW, db, dx)` 를 돌려줍니다. 그다음 채점 셀을 실행하세요.

# %% [markdown]
# 통과하면 위의 2-4-1 신경망에서 여러분의 함수가 stepnn 대신 일할 수 있습니다. 셀은 그 배치의 기록을
# 출력층부터 거꾸로 층마다 여러분의 함수에 넘기고, 모든 배열을 stepnn의 `backward()` 와 비교합니다.

# %% [markdown]
# ## 여러분의 코드로 학습하기
#
# 채점을 통과한 함수는 실제 학습에서 stepnn 대신 일할 수 있습니다. Trainer에
# `use={"dense_backward": dense_backward}` 로 넘기면 모든 **역전파**가 층마다 여러분의 함수를
# 실행하고, 가중치 갱신은 *여러분이* 계산한 기울기로 가중치를 움직입니다.
#
# StepThrough는 역전파 버튼에 ✎ 표시를 달고, 스텝마다 같은 숫자에 대해 여러분의 결과와 stepnn의
# 결과 사이의 가장 큰 차이를 보여 줍니다. 맞는 코드라면 0(또는 반올림 때문에 약 $10^{-16}$)입니다.
# 틀린 코드도 거부하지 않습니다. 그대로 학습하면서 차이가 빨간색으로 표시되고, 손실 곡선이 제대로
# 내려가지 않습니다. **한 스텝**을 몇 번 누른 다음 **에포크**를 눌러 보세요.
#
# 그림 아래의 **수식 보기**가 켜져 있습니다. 단계를 하나 실행할 때마다 이 칸이 그 단계의 식을 샘플 하나의
# 숫자와 함께 적어 줍니다. **순전파**, **손실**, **역전파**를 차례로 누르고 연쇄 법칙(chain rule)이
# 일하는 모습을 지켜보세요. 가중치 하나의 기울기는 국소 미분들의 곱
# $\frac{\partial L}{\partial a} \cdot \frac{\partial a}{\partial z} \cdot \frac{\partial z}{\partial w}$
# 을 배치 전체에 대해 더한 값이고, 각 인수에 숫자가 붙어 나옵니다. 여러분의 `dense_backward` 가 계산하는 것과 같은 곱입니다.

# %% [markdown]
# ## 해 보기
#
# 1. `w2` 를 `0.0` 으로 바꾸고 작은 신경망부터 다시 실행해 보세요. `dL/dw1` 은 어떻게 되고, 왜
#    그럴까요? (어느 국소 미분값이 0이 되었는지 보세요.)
# 2. 은닉 유닛이 아주 확신하게 만들어 보세요: `w1 = 5.0`. $a_1(1 - a_1)$ 이 얼마나 작아지고, 그것이
#    `dL/dw1` 에 어떤 영향을 주나요? 이것이 *기울기 소실 (vanishing gradient)* 입니다.
# 3. 유한 차분 셀에서 `h` 를 `1e-2` 와 `1e-12` 로 바꿔 보세요. 언제부터 유한 차분이 맞지 않고, 왜
#    그럴까요?
# 4. `gradcheck` 에서 `tanh` 를 `sigmoid` 로 바꾸거나 층을 하나 더해 보세요. 그래도 일치해야 합니다.
# 5. `dense_backward` 가 통과하면 `db` 를 `dz` 의 합 대신 배치 평균으로 바꾸거나, `dx` 로 `dz @ W` 를
#    돌려줘 보세요. 채점 함수는 뭐라고 하고, 각각 왜 틀렸을까요?
# 6. 평균 버전을 그래도 트레이너에 넣어 보세요(`my_code = {"dense_backward": dense_backward}` 를
#    `if` 밖으로 옮기고 마지막 셀을 다시 실행). 한 스텝씩 진행하면 차이는 어디서 빨간색이 되고, 손실
#    곡선은 어떻게 달라지나요?

# %% [markdown]
# ## 스스로 점검하기
#
# <details><summary>1. dL/dw2 = 0.43은 w2에 대해 무엇을 알려 주나요?</summary>
#
# $w_2$ 를 작은 양 $\delta$ 만큼 키우면 손실이 약 $0.43\,\delta$ 만큼 커진다는 뜻입니다. 손실을
# 줄이려면 $w_2$ 를 조금 줄여야 합니다.
# </details>
#
# <details><summary>2. 연쇄 법칙에서 각 노드는 무엇을 받고, 무엇을 보태나요?</summary>
#
# 뒤쪽 노드로부터 위에서 온 기울기 $\partial L/\partial(\text{자기 출력})$ 을 받아 자기의 국소
# 미분값을 곱하고, 그 곱을 앞쪽 노드들에 넘겨줍니다.
# </details>
#
# <details><summary>3. 역전파는 왜 출력층에서 입력층 쪽으로 진행하나요?</summary>
#
# 모든 기울기에는 뒤쪽 노드들의 기울기가 필요합니다. 손실에서 출발하면 각 곱을 한 번만 계산하고,
# 그 앞의 모든 가중치가 그것을 다시 씁니다.
# </details>
#
# <details><summary>4. 모든 기울기를 유한 차분으로 계산하면 안 되나요?</summary>
#
# 가중치마다 순전파가 두 번씩 필요합니다. 실제 신경망이라면 수백만 번이고, 그것도 근삿값일
# 뿐입니다. 역전파는 역방향 계산 한 번으로 모든 기울기를 정확히 구합니다. 유한 차분은 확인용으로만
# 남겨 둡니다.
# </details>

# %% [comments]
# en: start: the loss's own derivative
# ko: 출발점: 손실 자신의 도함수

# en: linear output: local derivative 1
# ko: 선형 출력: 국소 미분값 1

# en: dz2/dw2 = a1
# ko: dz2/dw2 = a1

# en: dz2/db2 = 1
# ko: dz2/db2 = 1

# en: dz2/da1 = w2: the gradient flows on to the hidden unit
# ko: dz2/da1 = w2: 기울기가 은닉 유닛으로 흘러간다

# en: sigmoid: da1/dz1 = a1 (1 - a1)
# ko: 시그모이드: da1/dz1 = a1 (1 - a1)

# en: dz1/dw1 = x
# ko: dz1/dw1 = x

# en: dz1/db1 = 1
# ko: dz1/db1 = 1

# en: a feeds two nodes
# ko: a가 두 노드로 들어간다

# en: the local derivatives dq/da and dr/da
# ko: 국소 미분값 dq/da와 dr/da

# en: (5, 1), arriving at the output layer
# ko: (5, 1), 출력층에 도착한 값

# en: (4, 1)
# ko: (4, 1)

# en: 21 flowers, 7 of each species
# ko: 21송이, 품종마다 7송이

# en: why: errors near 1e-10 come from floating-point rounding and differ between machines
# ko: 이유: 1e-10 근처의 오차는 부동소수점 반올림에서 오고 기계마다 다르다

# en: ReLU's local derivative
# ko: ReLU의 국소 미분값

# en: your function runs in every Backward
# ko: 모든 역전파에서 여러분의 함수가 실행된다
