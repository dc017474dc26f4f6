# The aimstrace API: loads the reference data and example, syncs Neo4j, then serves on :8000.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY ontology ontology
COPY loaders loaders
COPY queries queries
COPY api api
RUN pip install --no-cache-dir . && useradd --create-home aimstrace && mkdir -p /data \
    && chown aimstrace /data
USER aimstrace
EXPOSE 8000
# API keys come from AIMSTRACE_API_KEYS (in .env); without them the server would only bind loopback.
CMD ["sh", "-c", "aimstrace demo && aimstrace neo4j sync --full && exec aimstrace serve --host 0.0.0.0 --port 8000"]
