# syntax=docker/dockerfile:1
# PersonaJudge: a static binary (CGO_ENABLED=0; the SQLite driver is pure Go)
# on a distroless base, run as a non-root user.
#   docker build -t personajudge .
#   docker run -p 8080:8080 -e OPENAI_BASE_URL=... personajudge
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/personajudge ./cmd/personajudge

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/personajudge /usr/local/bin/personajudge
# The embedded SQLite store lives here unless --db names PostgreSQL.
WORKDIR /var/lib/personajudge
USER nonroot:nonroot
EXPOSE 8080
# `personajudge health` asks the gRPC health service; no shell or curl needed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/personajudge", "health", "--addr", "http://127.0.0.1:8080"]
ENTRYPOINT ["/usr/local/bin/personajudge"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--db", "/var/lib/personajudge/personajudge.db", "--api-keys", "/etc/personajudge/keys.json"]
