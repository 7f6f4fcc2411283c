# The image runs the same setup script as the README and CI, so CI covers its steps.
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY . /app
RUN bash scripts/setup.sh --no-demo && rm -rf /var/lib/apt/lists/*
ENV PATH="/app/.venv/bin:$PATH" \
    XDG_DATA_HOME=/data
VOLUME ["/data"]
ENTRYPOINT ["translator"]
CMD ["translate", "--to", "en", "--format", "side-by-side", "examples/sggp-putin-dprk.fr.txt"]
