using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Validation;

/// <summary>
/// Sums behind <see cref="TokenMetrics"/> for an output with one vector per token, over real tokens only. A language
/// model's logits (width = the vocabulary) are scored as next-token prediction: agreement of the two models' argmax,
/// and each model's perplexity against the input shifted by one. Any other width is an embedding: the cosine of the
/// two models' vectors per token, and of their mean over each text's real tokens (the sentence embedding of mean
/// pooling). Sums are in double.
/// </summary>
internal sealed class TokenOutputAccumulator(bool isLanguageModel)
{
    private long _tokens;
    private long _agreeing;
    private long _scoredNext;
    private double _originalNegativeLogLikelihood;
    private double _compressedNegativeLogLikelihood;
    private double _tokenCosineSum;
    private long _texts;
    private double _pooledCosineSum;
    private readonly List<double[]> _pooledOriginal = [];
    private readonly List<double[]> _pooledCompressed = [];

    public void Add(double[] a, double[] b, int width, TokenPositions tokens)
    {
        for (var s = 0; s < tokens.Batch; s++)
        {
            var pooledA = new double[width];
            var pooledB = new double[width];
            var realInText = 0;
            for (var t = 0; t < tokens.Sequence; t++)
            {
                var position = (s * tokens.Sequence) + t;
                if (!tokens.Real[position]) continue;
                var start = (long)position * width;
                _tokens++;
                realInText++;
                if (isLanguageModel)
                {
                    if (VectorMath.ArgMax(a, start, width) == VectorMath.ArgMax(b, start, width)) _agreeing++;
                    // The next id is the target when it is a real token of the same text.
                    if (t + 1 < tokens.Sequence && tokens.Real[position + 1] && tokens.Ids[position + 1] is var next && next >= 0 && next < width)
                    {
                        _scoredNext++;
                        _originalNegativeLogLikelihood += NegativeLogLikelihood(a, start, width, next);
                        _compressedNegativeLogLikelihood += NegativeLogLikelihood(b, start, width, next);
                    }
                }
                else
                {
                    _tokenCosineSum += VectorMath.Cosine(a, b, start, start, width);
                    for (var i = 0; i < width; i++)
                    {
                        pooledA[i] += a[start + i];
                        pooledB[i] += b[start + i];
                    }
                }
            }
            if (isLanguageModel || realInText == 0) continue;
            // The mean's 1/n scales both vectors alike and so leaves their cosine as the sums'.
            _pooledCosineSum += VectorMath.Cosine(pooledA, pooledB, 0, 0, width);
            _texts++;
            if (_pooledOriginal.Count < NeighbourTexts)
            {
                _pooledOriginal.Add(pooledA);
                _pooledCompressed.Add(pooledB);
            }
        }
    }

    public TokenMetrics Result() => isLanguageModel
        ? new TokenMetrics(TokenOutputKind.Logits, _tokens,
            MeanPooledCosine: null, TokenCosine: null,
            NextTokenAgreement: _tokens > 0 ? (double)_agreeing / _tokens : null,
            OriginalPerplexity: _scoredNext > 0 ? Math.Exp(_originalNegativeLogLikelihood / _scoredNext) : null,
            CompressedPerplexity: _scoredNext > 0 ? Math.Exp(_compressedNegativeLogLikelihood / _scoredNext) : null)
        : new TokenMetrics(TokenOutputKind.Embedding, _tokens,
            MeanPooledCosine: _texts > 0 ? _pooledCosineSum / _texts : null,
            TokenCosine: _tokens > 0 ? _tokenCosineSum / _tokens : null,
            NextTokenAgreement: null, OriginalPerplexity: null, CompressedPerplexity: null)
        {
            NeighbourOverlap = NearestNeighbours.Overlap(_pooledOriginal, _pooledCompressed, NeighbourCount),
        };

    /// <summary>Neighbours compared per text: a search over sentence embeddings returns about this many.</summary>
    public const int NeighbourCount = 10;

    /// <summary>Texts whose neighbours are compared, the first ones: the search is quadratic in them.</summary>
    public const int NeighbourTexts = 2000;

    /// <summary>-log softmax(logits)[target].</summary>
    private static double NegativeLogLikelihood(double[] logits, long start, int width, long target) =>
        VectorMath.LogSumExp(logits, start, width) - logits[start + target];
}
