# Wharf as a container image: one static binary (CGO_ENABLED=0; the SQLite
# driver, modernc.org/sqlite, is pure Go) on distroless/static, which holds
# CA certificates, tzdata and the nonroot user (65532) and nothing else: no
# shell, no package manager.
#
#   docker build -t wharf .
#   docker run -p 5000:5000 -v wharf-data:/data wharf            # embedded: SQLite + files in /data
#   docker run -p 5000:5000 -e WHARF_DATABASE_URL=postgres://… \
#     -e WHARF_BLOB_STORE=s3://bucket/prefix?region=eu-west-1 \
#     -v /path/to/secret.key:/etc/wharf/secret.key:ro \
#     -e WHARF_SECRET_KEY_FILE=/etc/wharf/secret.key wharf       # scale-out
#
# Flags after the image name go to `wharf serve` (docker run wharf --log-format json).
# See deploy/README.md.

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w" -o /out/wharf ./cmd/wharf
# The data directory, owned by the user the server runs as (a named volume
# mounted on it starts with this ownership).
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wharf /wharf
COPY --from=build --chown=65532:65532 /out/data /data
ENV WHARF_ADDR=0.0.0.0:5000 \
    WHARF_DATA_DIR=/data
USER 65532:65532
EXPOSE 5000
VOLUME ["/data"]
ENTRYPOINT ["/wharf", "serve"]
