# Build: docker build --build-arg VERSION=$(git describe --tags --always) -t ospo-bot .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/ospo-bot/ospo-bot/internal/server.Version=${VERSION}" \
      -o /out/ospo-bot ./cmd/ospo-bot \
 && mkdir -p /out/data

# Static binary on distroless, as the distroless "nonroot" user (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ospo-bot /usr/local/bin/ospo-bot
COPY --from=build --chown=65532:65532 /out/data /var/lib/ospo-bot
ENV OSPO_LISTEN=0.0.0.0:8080 \
    OSPO_DATABASE_URL=sqlite:///var/lib/ospo-bot/ospo-bot.db
VOLUME /var/lib/ospo-bot
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/ospo-bot", "serve"]
