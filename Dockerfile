# The aimstrace API: loads the reference data and example, syncs Neo4j, then serves on :8000.
# Stage 1 builds the same wheel that `python -m pip install .` builds; stage 2 installs only it.
FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps -w /wheels .

FROM python:3.11-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/aimstrace-*.whl && rm -rf /wheels \
    && useradd --create-home aimstrace && mkdir -p /data && chown aimstrace /data
USER aimstrace
WORKDIR /home/aimstrace
EXPOSE 8000
# API keys come from AIMSTRACE_API_KEYS (in .env); without them the server would only bind loopback.
CMD ["sh", "-c", "aimstrace demo && aimstrace neo4j sync --full && exec aimstrace serve --host 0.0.0.0 --port 8000"]
