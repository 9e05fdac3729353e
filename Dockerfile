# syntax=docker/dockerfile:1
# The tokenctl image: a release build in the Rust image, then the binary alone on distroless
# (glibc and CA certificates, no shell, no package manager), running as a non-root user.
#
#   docker build -t tokenctl .
#   docker run --rm -e CLOUDFLARE_API_TOKEN -e CLOUDFLARE_ACCOUNT_ID tokenctl --no-input audit
#
# The build context is the Cargo workspace: .dockerignore lets in only the manifests, the lock
# file and the sources (src/ and the library crates in crates/), so `COPY . .` copies exactly
# what `cargo build` reads, whatever crates the workspace grows.

FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
# The cache mounts keep the crates.io downloads and the target directory between builds; the
# binary is copied out of the mounted target directory in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin tokenctl \
 && install -D -m 0755 target/release/tokenctl /out/tokenctl

# The same binary on distroless's debug variant, which adds a busybox shell (/busybox/sh), for CI
# systems that run their job scripts inside the job's image, such as GitLab CI:
#   docker build --target shell -t tokenctl:shell .
FROM gcr.io/distroless/cc-debian12:debug-nonroot AS shell
COPY --from=build /out/tokenctl /usr/local/bin/tokenctl
USER 65532:65532
ENTRYPOINT ["tokenctl"]

# The default image (the last stage): no shell at all.
FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="tokenctl" \
      org.opencontainers.image.description="Create, inspect, rotate and retire API tokens for Cloudflare, Mailtrap, Prefactor and Cedalo Pro Mosquitto" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
COPY --from=build /out/tokenctl /usr/local/bin/tokenctl
# 65532:65532 is distroless's nonroot user (HOME /home/nonroot); a Kubernetes runAsNonRoot check
# needs the numeric form.
USER 65532:65532
ENTRYPOINT ["tokenctl"]
