# syntax=docker/dockerfile:1
#
# Cairn's container image.
#
#   docker build -t cairn:local .                                   # CPU inference (ONNX Runtime for the CPU)
#   docker build -t cairn:local-gpu --build-arg ONNX_VARIANT=gpu .  # CUDA 12 inference (Maven profile `gpu`)
#
# Stage 1 builds the jar with the Maven wrapper on a JDK; stage 2 runs it on a JRE as an unprivileged user, the jar
# split into Spring Boot's layers so a code change rebuilds only the small application layer. The GPU image runs on
# NVIDIA's CUDA 12 runtime (with cuDNN, which ONNX Runtime's CUDA provider loads) with a JRE added.

ARG ONNX_VARIANT=cpu

# ---- build --------------------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jdk-jammy AS build
ARG ONNX_VARIANT
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/main/ src/main/
# The gpu profile swaps com.microsoft.onnxruntime:onnxruntime for onnxruntime_gpu. Tests are neither compiled nor
# run here: they need PostgreSQL and Redis, and CI runs them (`./mvnw verify`) before an image is built.
RUN --mount=type=cache,target=/root/.m2 \
    case "$ONNX_VARIANT" in \
      cpu) profile="" ;; \
      gpu) profile="-Pgpu" ;; \
      *) echo "ONNX_VARIANT must be cpu or gpu, not '$ONNX_VARIANT'" >&2; exit 1 ;; \
    esac \
    && ./mvnw -B -q -Dmaven.test.skip=true $profile package \
    && cp target/cairn-*.jar /cairn.jar \
    && java -Djarmode=tools -jar /cairn.jar extract --layers --launcher --destination /layers

# ---- runtime bases ------------------------------------------------------------------------------------------------
# Only the one named by ONNX_VARIANT is built (BuildKit skips stages the target does not need). curl is for the
# HEALTHCHECK.
FROM eclipse-temurin:17-jre-jammy AS runtime-cpu
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 AS runtime-gpu
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless curl \
    && rm -rf /var/lib/apt/lists/*
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

# ---- runtime ------------------------------------------------------------------------------------------------------
FROM runtime-${ONNX_VARIANT}
# A fixed numeric uid so Kubernetes can check runAsNonRoot; group 0 so an arbitrary uid (OpenShift) can still write.
RUN useradd --system --uid 10001 --gid 0 --home-dir /app --no-create-home cairn \
    && mkdir -p /app/data \
    && chown -R 10001:0 /app \
    && chmod -R g=u /app
WORKDIR /app
COPY --from=build --chown=10001:0 /layers/dependencies/ ./
COPY --from=build --chown=10001:0 /layers/spring-boot-loader/ ./
COPY --from=build --chown=10001:0 /layers/snapshot-dependencies/ ./
COPY --from=build --chown=10001:0 /layers/application/ ./
USER 10001

# The heap follows the container's memory limit, not the host's: 75 % of the limit, the rest for metaspace, threads,
# direct buffers (the artifact proxy's socket buffers) and, in the serving image, ONNX Runtime's native memory.
# Override with -e JAVA_TOOL_OPTIONS=... (it replaces this whole list).
ENV JAVA_TOOL_OPTIONS="-XX:+UseContainerSupport -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError" \
    SERVER_PORT=5000
EXPOSE 5000 6566
# Liveness only: readiness also needs PostgreSQL and Redis, and an unready replica should be taken out of a load
# balancer, not restarted.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=4 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${SERVER_PORT:-5000}/actuator/health/liveness" || exit 1
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
