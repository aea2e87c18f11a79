#!/usr/bin/env python3
# Writes test/fixtures/classic-mpmath.json: the classic activations (gelu, geluTanh, sigmoid,
# tanh, softplus, elu, selu) and their derivatives at a few hundred points, in 50-digit arithmetic
# (mpmath), for test/reference.test.ts to check reference/reference.ts against.
#   apt-get install -y python3-mpmath && python3 scripts/measure/mpmath-classic.py
import json
import os

from mpmath import erfc, exp, expm1, log, mp, mpf, pi, sqrt, tanh

mp.dps = 50
C = 2 * sqrt(2 / pi)
SELU_A, SELU_L = mpf('1.6732632423543772'), mpf('1.0507009873554805')


def sig(z):
    return 1 / (1 + exp(-z))


def points():
    xs = [mpf(k) / 8 for k in range(-160, 161, 3)]  # [-20, 20]
    xs += [-mpf(2) ** (e / 4) for e in range(-40, 22)] + [mpf(2) ** (e / 4) for e in range(-40, 22)]
    xs += [mpf(-14) + mpf(k) / 16 for k in range(0, 32)]  # gelu's tail, near its underflow
    xs += [mpf('-0.7517915246'), mpf('-1.2785'), mpf('1e-30'), mpf('-1e-30')]
    return sorted(set(float(x) for x in xs))


def functions():
    yield 'gelu', lambda x: x * erfc(-x / sqrt(2)) / 2, lambda x: erfc(-x / sqrt(2)) / 2 + x * exp(-x * x / 2) / sqrt(2 * pi)
    z = lambda x: C * (x + mpf('0.044715') * x**3)
    w = lambda x: C * x * (1 + 3 * mpf('0.044715') * x**2)
    yield 'geluTanh', lambda x: x * sig(z(x)), lambda x: sig(z(x)) * (1 + w(x) * sig(-z(x)))
    yield 'sigmoid', sig, lambda x: sig(x) * sig(-x)
    yield 'tanh', tanh, lambda x: 1 - tanh(x) ** 2
    for beta in [1, 1.75, -0.5]:  # exact in float32, as the references round beta
        b = mpf(beta)
        yield f'softplus {beta}', lambda x, b=b: log(1 + exp(b * x)) / b, lambda x, b=b: sig(b * x)
    yield 'elu', lambda x: x if x > 0 else expm1(x), lambda x: 1 if x > 0 else exp(x)
    yield 'selu', lambda x: SELU_L * (x if x > 0 else SELU_A * expm1(x)), lambda x: SELU_L * (1 if x > 0 else SELU_A * exp(x))


out = {'x': points(), 'functions': {}}
for name, f, df in functions():
    out['functions'][name] = {
        'f': [float(f(mpf(x))) for x in out['x']],
        'df': [float(df(mpf(x))) for x in out['x']],
    }
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'classic-mpmath.json')
with open(path, 'w') as fh:
    json.dump(out, fh)
print(f"{len(out['x'])} points, {len(out['functions'])} functions -> {os.path.normpath(path)}")
