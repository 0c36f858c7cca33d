"""Reference solutions of the lessons' exercises, kept out of the student's notebooks.

Each function here has the name and signature of an exercise in lessons/NN_*.py (and of a check
in ``stepnn.exercises``). ``python lessons/build.py --solved`` builds the lessons with each
exercise's ``...`` replaced by the body of the function of the same name (its docstring left
out: the lesson's own stays), and ``python lessons/build.py --print-solutions`` prints them.
The lessons import numpy as np and stepnn as sn before their exercises; so does this module.
"""
import numpy as np

import stepnn as sn


# ---------------------------------------------------------- lesson 1: forward propagation
def dense_forward(x, W, b):
    """z = xW + b: x (n, i), W (i, o), b (o,) -> z (n, o)."""
    return x @ W + b


def relu(z):
    """max(z, 0), elementwise."""
    return np.maximum(z, 0)


def sigmoid(z):
    """1 / (1 + e^(-z)), elementwise, without overflow for large |z|."""
    e = np.exp(-np.abs(z))              # never above 1, so never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(z):
    """e^z / sum(e^z) over the last axis, after subtracting each row's max (no overflow)."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


# --------------------------------------------------------------- lesson 2: loss functions
def mse(y_true, y_pred):
    """Mean of the squared errors."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.mean((y_pred - y_true) ** 2))


def binary_crossentropy(y_true, y_pred):
    """-mean(y log p + (1 - y) log(1 - p)), p clipped to [1e-7, 1 - 1e-7]."""
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(y_pred, dtype=float), 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def categorical_crossentropy(y_true, y_pred):
    """-mean over samples of sum(y log p), rows of p rescaled to sum 1, then clipped."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    p = np.clip(p / np.sum(p, axis=-1, keepdims=True), 1e-7, 1 - 1e-7)
    return float(-np.mean(np.sum(y * np.log(p), axis=-1)))


def sparse_categorical_crossentropy(y_true, y_pred):
    """-mean of log(probability of the true class), rows rescaled to sum 1, then clipped."""
    labels = np.asarray(y_true).reshape(-1).astype(int)
    p = np.asarray(y_pred, dtype=float)
    p = np.clip(p / np.sum(p, axis=-1, keepdims=True), 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


# -------------------------------------------------------------- lesson 3: backpropagation
def relu_derivative(z):
    """1 where z > 0, else 0."""
    return (z > 0).astype(float)


def sigmoid_derivative(z):
    """sigma(z) (1 - sigma(z))."""
    a = sn.activations.sigmoid(z)
    return a * (1 - a)


def dense_backward(x, W, dz):
    """dW = x^T dz (i, o), db = sum of dz over the batch (o,), dx = dz W^T (n, i)."""
    return x.T @ dz, np.sum(dz, axis=0), dz @ W.T


# ------------------------------------------------------------ lesson 4: gradient descent
def sgd_update(w, grad, learning_rate):
    """One step against the gradient."""
    return w - learning_rate * grad


# ------------------------------------------------------------------ lesson 5: optimizers
def momentum_update(w, velocity, grad, learning_rate, momentum):
    """v <- momentum v + grad; w <- w - learning_rate v (torch.optim.SGD)."""
    velocity = momentum * velocity + grad
    return w - learning_rate * velocity, velocity


# ---------------------------------------------- lesson 6: batch size, epochs, iterations
def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    """ceil(n / batch size): the last batch may be smaller; floor when it is dropped."""
    if drop_last:
        return n_samples // batch_size
    return int(np.ceil(n_samples / batch_size))
