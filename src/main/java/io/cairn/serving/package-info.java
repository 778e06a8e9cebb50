/**
 * Serving: deployments that keep the ONNX model version behind a registry alias loaded in ONNX Runtime, on every
 * replica, and answer the Open Inference Protocol ({@code /v2}) and predictions by entity key.
 * Sub-packages: {@code onnx} (the engine: artifacts to sessions, tensors), {@code batching} (dynamic batching),
 * {@code deployments} (definitions, lifecycle, routing, {@code /api/v1/deployments}), {@code v2} (the protocol edge)
 * and {@code log} (the asynchronous prediction log).
 */
package io.cairn.serving;
