using System.Globalization;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// S with S S^T = C + lambda I for one block of a layer's input second moment or covariance C (SVD-LLM's whitening,
/// ALGORITHMS.md section 5): lambda starts at a small share of C's mean diagonal and grows tenfold
/// while the Cholesky factorization fails. When no ridge works (no signal, or non-finite values) there
/// is no factor and the block is factorized on its weight alone; <see cref="Note"/> says why.
/// Data-aware factors use it for tall blocks only (<see cref="WhitenedBlock"/>).
/// </summary>
public sealed class Whitening
{
    public const double DefaultRelativeRidge = 1e-6;

    /// <summary>The largest ridge tried, relative to the mean diagonal.</summary>
    private const double MaxRelativeRidge = 1e-1;

    /// <summary>Pivots at or below this share of the mean diagonal count as a failed factorization.</summary>
    private const double PivotFloor = 1e-12;

    private Whitening(RowMajorMatrix? factor, double relativeRidge, string? note)
    {
        Factor = factor;
        RelativeRidge = relativeRidge;
        Note = note;
    }

    /// <summary>The lower-triangular S, or null when the block falls back to weight-only factorization.</summary>
    public RowMajorMatrix? Factor { get; }

    /// <summary>The ridge used, relative to the mean diagonal of C.</summary>
    public double RelativeRidge { get; }

    /// <summary>Why the block was not whitened as asked (a larger ridge, or none at all); null when it was.</summary>
    public string? Note { get; }

    /// <summary>Why a block whose inputs carry no signal is taken on its weight alone.</summary>
    internal static string SilentNote(LayerInputStatistics statistics) => statistics.VectorCount == 0
        ? "no calibration inputs reached this layer; factorized on the weight alone"
        : "the layer's calibration inputs are all zero or not finite; factorized on the weight alone";

    /// <summary>
    /// Whitens the columns [first, first + width) of a group's input statistics: their second moment, or their
    /// covariance when <paramref name="centered"/>.
    /// </summary>
    public static Whitening Of(LayerInputStatistics statistics, int group, int firstColumn, int width, double relativeRidge = DefaultRelativeRidge, bool centered = false)
    {
        var c = statistics.SecondMoment(group, firstColumn, width, centered);
        var scale = 0.0;
        for (var i = 0; i < width; i++) scale += c.Values[i * width + i];
        scale /= width;
        if (!(scale > 0) || !double.IsFinite(scale) || c.Values.Any(v => !double.IsFinite(v)))
            return new Whitening(null, 0, SilentNote(statistics));

        var added = 0.0;
        for (var ridge = relativeRidge; ; ridge = Math.Max(ridge * 10, 1e-10))
        {
            // C + ridge I in place: the diagonal moves by what this ridge adds over the last one.
            for (var i = 0; i < width; i++) c.Values[i * width + i] += (ridge - added) * scale;
            added = ridge;
            if (Cholesky.Lower(c, PivotFloor * scale) is { } factor)
                return new Whitening(factor, ridge, ridge == relativeRidge ? null
                    : string.Create(CultureInfo.InvariantCulture, $"the input second moment needed a ridge of {ridge:g2} x its mean diagonal"));
            if (ridge >= MaxRelativeRidge)
                return new Whitening(null, ridge, "the input second moment has no Cholesky factor even with a ridge; factorized on the weight alone");
        }
    }
}
