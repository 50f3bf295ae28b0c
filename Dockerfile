# syntax=docker/dockerfile:1
# The influence binary in a small image, for running sharded studies on a cluster
# (deploy/k8s/). Two stages: the Rust toolchain builds the release binary, and only the
# binary goes into a slim Debian of the same release, whose C library it was linked against.
# Debian rather than a distroless base: `kubectl cp` needs tar in the image, and a shell
# helps when a Slurm site runs containers. The image has no scenario of its own beyond the
# embedded one: mount scenario files, and a volume for the output directories.
#
#   docker build -t influence:0.1.0 .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/outputs:/work/outputs" \
#       influence:0.1.0 run --runs 10000
#
# The toolchain is pinned to the version the project is developed and tested with (the
# crate's rust-version, 1.89, the first with AVX-512 on stable, is the oldest that builds it).
ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS build
WORKDIR /src
# The whole source tree (less .dockerignore): the embedded scenario and documentation are
# compiled in with include_str!.
COPY . .
# Cache mounts keep the crate registry and the build directory between builds, so a change
# to the sources recompiles only this crate. --locked: exactly the dependencies of Cargo.lock.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked \
    && install -D -m 0755 target/release/influence /out/influence

FROM debian:${DEBIAN_RELEASE}-slim
LABEL org.opencontainers.image.title="influence" \
      org.opencontainers.image.description="Agent-based Monte Carlo simulation of regional influence between states" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
# A fixed unprivileged uid (65532, as distroless images use), so that manifests can name it
# (runAsUser, fsGroup) and shared volumes can be given to it.
RUN groupadd --system --gid 65532 influence \
    && useradd --system --uid 65532 --gid 65532 --home-dir /work --no-create-home \
       --shell /usr/sbin/nologin influence \
    && install -d -o 65532 -g 65532 -m 0755 /work
COPY --from=build /out/influence /usr/local/bin/influence
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["influence"]
CMD ["--help"]
