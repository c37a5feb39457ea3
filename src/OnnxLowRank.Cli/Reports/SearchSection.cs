using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Cli.Reports;

/// <summary>
/// compress with a gate and no keep option: the search for the smallest keep fraction whose validated model passes,
/// every step it made and the one written.
/// </summary>
/// <param name="Budget">parameters, flops or latency: what the keep fractions are fractions of.</param>
/// <param name="Low">The smallest fraction the search considered.</param>
/// <param name="High">The largest, tried first.</param>
/// <param name="Tolerance">How close the passing and failing fractions came before it stopped.</param>
/// <param name="Found">True when a fraction passed; false when even <paramref name="High"/> failed (its model was written).</param>
/// <param name="ChosenKeepFraction">The fraction of the written model: the smallest that passed, or <paramref name="High"/>.</param>
public sealed record SearchSection(
    string Budget, double Low, double High, double Tolerance, bool Found, double ChosenKeepFraction, IReadOnlyList<SearchStepEntry> Steps);

/// <summary>One compression and validation of the search.</summary>
/// <param name="Step">Its position, from 0.</param>
/// <param name="KeepFraction">The fraction asked for.</param>
/// <param name="KeptFraction">The share of the budget's cost the allocation kept; null when the budget was unreachable.</param>
/// <param name="Passed">Every gate held.</param>
/// <param name="Chosen">This step's model is the one written.</param>
/// <param name="Gates">What each gate measured; empty when the budget was unreachable.</param>
/// <param name="Unreachable">Why the budget could not be met, else null.</param>
public sealed record SearchStepEntry(
    int Step, double KeepFraction, double? KeptFraction, bool Passed, bool Chosen, IReadOnlyList<GateOutcome> Gates, string? Unreachable);
