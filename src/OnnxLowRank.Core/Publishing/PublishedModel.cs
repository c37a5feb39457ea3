namespace OnnxLowRank.Core.Publishing;

/// <summary>Where a verified model now lies, and how far it was verified.</summary>
/// <param name="ModelPath">The model file, links resolved.</param>
/// <param name="SideFiles">External-data files written next to it (empty when the model is inline).</param>
/// <param name="NotRunReason">Null when the written model ran once in the engine; else why it was only loaded, e.g.
/// "dimension T has no size; pass --dim T=SIZE".</param>
public sealed record PublishedModel(string ModelPath, IReadOnlyList<string> SideFiles, string? NotRunReason = null);
