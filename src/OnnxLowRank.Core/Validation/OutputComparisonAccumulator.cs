using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Validation;

/// <summary>
/// Gathers, batch by batch, the sums behind an <see cref="OutputComparison"/>, so a data set of any
/// size is compared without keeping its outputs. Sums are in double.
/// </summary>
public sealed class OutputComparisonAccumulator(string name)
{
    private long _elements;
    private long _rows;
    private long _agreeing;
    private long _labelledRows;
    private long _originalCorrect;
    private long _compressedCorrect;
    private double _maxAbs;
    private double _squaredError;
    private double _squaredOriginal;
    private double _squaredCompressed;
    private double _dot;
    private bool? _classifier;
    private TokenOutputAccumulator? _tokens;

    /// <summary>
    /// Adds one batch. <paramref name="labels"/> (one per sample) are scored only when the output
    /// has exactly one row per sample. With the batch's <paramref name="tokens"/>, an output of one vector per token is
    /// compared on real tokens (<see cref="TokenMetrics"/>): as logits when its width is <paramref name="vocabulary"/>
    /// (the rows of the table the ids index), else as embeddings, which have no top-1; so has an output the caller
    /// knows to be a <paramref name="pooledEmbedding"/> (one vector per text).
    /// </summary>
    public void Add(TensorData original, TensorData compressed, int[]? labels, TokenPositions? tokens = null, long? vocabulary = null,
        bool pooledEmbedding = false)
    {
        if (!original.Shape.SequenceEqual(compressed.Shape))
            throw new ArgumentException(
                $"Output '{name}' has shape [{string.Join(",", original.Shape)}] in the original and [{string.Join(",", compressed.Shape)}] in the compressed model.");
        var a = original.ToDoubles();
        var b = compressed.ToDoubles();
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            _maxAbs = Math.Max(_maxAbs, Math.Abs(d));
            _squaredError += d * d;
            _squaredOriginal += a[i] * a[i];
            _squaredCompressed += b[i] * b[i];
            _dot += a[i] * b[i];
        }
        _elements += a.Length;

        if (tokens is not null && tokens.IsPerToken(original))
        {
            var width = (int)original.Shape[2];
            _tokens ??= new TokenOutputAccumulator(isLanguageModel: width == vocabulary);
            _tokens.Add(a, b, width, tokens);
            _classifier ??= width == vocabulary;
            return;
        }
        if (pooledEmbedding)
        {
            _classifier ??= false;
            return;
        }

        // Rank 4 and more is an image-shaped map (N, C, H, W, ...) whose last axis is a width, not classes:
        // a top-1 along it would mean nothing (PaddleOCR's detector outputs a [N, 1, H, W] probability map).
        var classes = original.Shape.Length is 0 or >= 4 ? 1 : original.Shape[^1];
        _classifier ??= classes > 1;
        if (classes <= 1) return;
        var rows = a.Length / classes;
        var scoreLabels = labels is not null && labels.Length == rows;
        for (var r = 0; r < rows; r++)
        {
            var ia = VectorMath.ArgMax(a, r * classes, (int)classes);
            var ib = VectorMath.ArgMax(b, r * classes, (int)classes);
            if (ia == ib) _agreeing++;
            if (!scoreLabels) continue;
            _labelledRows++;
            if (ia == labels![r]) _originalCorrect++;
            if (ib == labels[r]) _compressedCorrect++;
        }
        _rows += rows;
    }

    public OutputComparison Result()
    {
        var classifier = _classifier ?? false;
        var tokens = _tokens?.Result();
        var normA = Math.Sqrt(_squaredOriginal);
        var normB = Math.Sqrt(_squaredCompressed);
        var relative = normA > 0 ? Math.Sqrt(_squaredError) / normA : _squaredError > 0 ? double.PositiveInfinity : 0.0;
        var cosine = normA > 0 && normB > 0 ? _dot / (normA * normB) : normA == 0 && normB == 0 ? 1.0 : 0.0;
        return new OutputComparison(
            name, _elements, _rows, classifier,
            tokens is not null ? tokens.NextTokenAgreement : classifier && _rows > 0 ? (double)_agreeing / _rows : null,
            _labelledRows > 0 ? (double)_originalCorrect / _labelledRows : null,
            _labelledRows > 0 ? (double)_compressedCorrect / _labelledRows : null,
            _maxAbs, relative, cosine, tokens);
    }
}
