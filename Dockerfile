# The schemareg server: `docker build -t schemareg .` then `docker run -p 8080:8080 -e SCHEMAREG_TOKENS=... schemareg`
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY registry ./registry
COPY api ./api
COPY clients/python ./clients/python
# The client too: `schemareg <verb> --registry URL` talks to a server through it.
RUN pip install --no-cache-dir --prefix=/install -c constraints.txt '.[fast,postgres]' ./clients/python

FROM python:3.11-slim
# git serves `git clone` and packs the repos. The PostgreSQL client tools for backups and restores come
# with the `postgres` extra (PostgreSQL 18's, which read every older server), as on any other install.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 schemareg \
    && mkdir -p /data && chown schemareg /data
COPY --from=build /install /usr/local
USER schemareg
WORKDIR /home/schemareg
ENV SCHEMAREG_DATA_DIR=/data/registry \
    SCHEMAREG_HOST=0.0.0.0 \
    SCHEMAREG_PORT=8080 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8080
CMD ["schemareg", "serve"]
