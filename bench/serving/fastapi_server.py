"""The seed's serving pattern, for comparison: FastAPI + a joblib scikit-learn model under uvicorn.

`python3 fastapi_server.py <model.joblib>`; prints its port. Run with Debian's /usr/bin/python3.
"""
import socket
import sys

import joblib
import numpy as np
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

model = joblib.load(sys.argv[1])
app = FastAPI()


class Request(BaseModel):
    instances: list[list[float]]


@app.post("/predict")
def predict(req: Request):
    proba = model.predict_proba(np.asarray(req.instances, dtype=np.float64))[:, 1]
    return {"predictions": proba.tolist()}


if __name__ == "__main__":
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    print(f"PORT {port}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
