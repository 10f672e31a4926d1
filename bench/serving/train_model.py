"""Trains the FastAPI comparison's LogisticRegression on synthetic churn-like data and dumps it with joblib.

`python3 train_model.py <out.joblib>`; prints the coefficients and intercept as JSON so the ONNX model
the other servers use computes the very same function.
"""
import json
import sys

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(7)
X = np.column_stack([rng.uniform(18, 80, 5000), rng.uniform(0, 72, 5000), rng.uniform(10, 120, 5000)])
y = (0.03 * X[:, 0] - 0.05 * X[:, 1] + 0.02 * X[:, 2] + rng.normal(0, 1, 5000) > 0.5).astype(int)
model = LogisticRegression(max_iter=1000).fit(X, y)
joblib.dump(model, sys.argv[1])
print(json.dumps({"coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}))
