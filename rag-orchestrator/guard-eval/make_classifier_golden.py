#!/usr/bin/env python3
"""Golden outputs of scikit-learn's LogisticRegression for InjectionClassifierTest.

The Java classifier fits the objective LogisticRegression(C, class_weight="balanced") minimises; this writes a
seeded, imbalanced, overlapping dataset of unit vectors (as sentence embeddings are) with the probabilities scikit-learn
fits on it. Run (venv with guard-eval/requirements.txt):
    python guard-eval/make_classifier_golden.py > src/test/resources/guard/logreg-golden.json
"""
import json

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(17)
dim, n_neg, n_pos = 24, 300, 60
direction = rng.normal(size=dim)
neg = rng.normal(size=(n_neg, dim))
pos = rng.normal(size=(n_pos, dim)) + 0.8 * direction
x = np.vstack([neg, pos])
x /= np.linalg.norm(x, axis=1, keepdims=True)
y = np.r_[np.zeros(n_neg), np.ones(n_pos)]
out = {"sklearn": sklearn.__version__, "C": 3.0, "x": np.round(x, 6).tolist(), "y": y.astype(int).tolist()}
x = np.array(out["x"])  # fit on exactly the rounded values Java reads
model = LogisticRegression(C=out["C"], class_weight="balanced", tol=1e-12, max_iter=10000).fit(x, y)
out["probability"] = model.predict_proba(x)[:, 1].tolist()
out["coef"] = model.coef_[0].tolist()
out["intercept"] = float(model.intercept_[0])
print(json.dumps(out))
