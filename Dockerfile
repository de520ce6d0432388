# briefgen in a container: WeasyPrint's system libraries and fonts, Pagefind (from PyPI),
# and the programs `briefgen publish` runs (git; rsync and ssh). The install step is the
# README's, word for word (tests/test_dockerfile.py keeps them in step).
#
#   docker build -t briefgen .
#   docker run --rm -v "$PWD:/project" briefgen build
#   docker run --rm -v "$PWD:/project" -p 8000:8000 briefgen serve --host 0.0.0.0 --poll
FROM python:3.11-slim-bookworm

# The README's install step: the libraries WeasyPrint needs and the fonts of the PDF.
RUN apt-get update && apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
# What `briefgen publish` runs: git for --git, rsync over ssh for --rsync.
RUN apt-get update && apt-get install -y --no-install-recommends git rsync openssh-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/briefgen
COPY pyproject.toml README.md ./
COPY briefgen briefgen
COPY templates templates
COPY themes themes
# s3: boto3, for `briefgen publish --s3`.
RUN pip install --no-cache-dir '.[s3]'

WORKDIR /project
ENTRYPOINT ["briefgen"]
CMD ["--help"]
