using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Layers;

/// <summary>
/// The output head tied to an embedding table E: logits = h E^T, read either as MatMul(h, Transpose(E)) (how torch
/// writes a tied Linear once the copy its constant folding makes is put back as a Transpose; models/causal/README.md)
/// or as Gemm(h, E, transB = 1). It is part of the embedding's layer, so both reads take the same factors.
/// </summary>
/// <param name="Node">The MatMul or Gemm that computes the logits.</param>
/// <param name="Transpose">The Transpose of E that feeds the MatMul; null for the Gemm, which reads E itself.</param>
public sealed record TiedHead(NodeProto Node, NodeProto? Transpose);
