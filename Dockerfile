# muonbench in a container: Debian bookworm, dependencies from Debian packages only.
#   docker build -t muonbench .      (or: scripts/docker-run SUITE, which picks docker or podman)
#   docker run --rm -v "$PWD/out:/results" muonbench run --suite smoke --out /results
# The image is the deterministic portable build (MUONBENCH_PORTABLE=ON, docs/reproducibility.md):
# x86-64 baseline, no FP contraction, libm and GEMM blocking pinned, so that `run --reproducible`
# gives the same results on every x86-64 machine. Results go to the mounted volume /results.
FROM debian:bookworm AS build
ARG GIT_COMMIT=unknown
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake make g++ libeigen3-dev libboost-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY harness harness
COPY problems problems
COPY solvers solvers
COPY claims claims
COPY suites suites
COPY cmake cmake
COPY include include
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMUONBENCH_PORTABLE=ON -DMUONBENCH_TESTS=OFF \
      -DMUONBENCH_BENCH=OFF -DMUONBENCH_MPI=OFF -DMUONBENCH_GIT_COMMIT="${GIT_COMMIT}" \
 && cmake --build build -j "$(nproc)" \
 && cmake --install build --prefix /opt/muonbench

FROM debian:bookworm
# Run time: OpenMP's runtime (--gemm-threads) and zlib; python3-sklearn ships the digits data set
# the realistic suite's digits-mlp trains on (char-lm reads base-files' licence texts, always there).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgomp1 zlib1g python3-sklearn \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/muonbench /usr/local
VOLUME /results
WORKDIR /results
ENTRYPOINT ["muonbench"]
CMD ["run", "--suite", "default", "--reproducible", "--out", "/results"]
