namespace OnnxLowRank.Core.Publishing;

/// <summary>Where a verified model now lies.</summary>
/// <param name="ModelPath">The model file, links resolved.</param>
/// <param name="SideFiles">External-data files written next to it (empty when the model is inline).</param>
public sealed record PublishedModel(string ModelPath, IReadOnlyList<string> SideFiles);
