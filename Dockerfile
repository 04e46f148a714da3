# The teli server in a container: a static binary on distroless, run as its nonroot user.
# Not built in CI; see README.md, "Running in containers".

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# -buildvcs=false: the build context has no .git (.dockerignore), and VERSION names the build.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/teli ./cmd/teli \
    && mkdir -p /out/state/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/teli /usr/local/bin/teli
# /data is copied as an entry of /out/state, so --chown applies to the directory itself: the
# nonroot user (65532) writes the SQLite database there, and a new named volume mounted on
# /data takes its owner from the image.
COPY --from=build --chown=65532:65532 /out/state/ /
ENV TELI_ADDR=0.0.0.0:8080 TELI_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER 65532:65532
# The image has no shell and no curl: teli health asks TELI_ADDR for /healthz itself.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/usr/local/bin/teli", "health"]
ENTRYPOINT ["/usr/local/bin/teli"]
CMD ["serve"]
