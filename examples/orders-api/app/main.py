"""The orders API, cut down to what the incident needs: a FastAPI app with a health route."""

from fastapi import FastAPI

app = FastAPI(title="orders-api")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
