namespace OnnxLowRank.Core.Search;

/// <summary>Every step of a <see cref="KeepSearch"/>, in order, and the one it chose.</summary>
/// <param name="Steps">The trials as they were made.</param>
/// <param name="Chosen">
/// The smallest fraction that passed, when any did; else the first step (<see cref="KeepSearchOptions.High"/>), the best
/// the search found. Always a step that was validated, never a fraction between two steps.
/// </param>
public sealed record KeepSearchResult<TResult>(IReadOnlyList<KeepTrial<TResult>> Steps, KeepTrial<TResult> Chosen)
{
    /// <summary>True when a fraction passed; false when even the highest failed.</summary>
    public bool Found => Chosen.Passed;
}
