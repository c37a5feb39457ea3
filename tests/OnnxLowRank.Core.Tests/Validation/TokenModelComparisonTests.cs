using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Validation;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Validation;

/// <summary>
/// A token model's outputs as the comparer classifies them: hidden states per token and a pooled vector as wide as them
/// are embeddings (no top-1), and the hidden states are the primary output.
/// </summary>
public class TokenModelComparisonTests
{
    private const int Width = 4;

    // Two texts of three ids; the second text's last position is padding.
    private sealed class Texts : IDataSource
    {
        public string Description => "two texts";
        public int Count => 2;
        public bool HasLabels => false;

        public IEnumerable<DataBatch> ReadBatches(int batchSize)
        {
            yield return new DataBatch(new Dictionary<string, TensorData>
            {
                ["input_ids"] = new(DataType.Int64, [2, 3], new long[] { 5, 6, 7, 8, 9, 0 }),
            }, 2, null, TokenLengths: [3, 2]);
        }
    }

    /// <summary>hidden[s, t, i] = id * (i + 1) + shift; pooled[s, i] = the sum over the text's tokens.</summary>
    private sealed class TokenSession(float shift) : IModelSession
    {
        public IReadOnlyList<ValueDescriptor> Inputs { get; } = [new("input_ids", DataType.Int64, [null, null], ["batch", "sequence"])];

        public IReadOnlyList<ValueDescriptor> Outputs { get; } =
        [
            new("hidden", DataType.Float, [null, null, Width], ["batch", "sequence", null]),
            new("pooled", DataType.Float, [null, Width], ["batch", null]),
        ];

        public IReadOnlyDictionary<string, TensorData> Run(IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyList<string>? outputNames = null)
        {
            var ids = (long[])inputs["input_ids"].Values;
            var hidden = ids.SelectMany(id => Enumerable.Range(0, Width).Select(i => (id * (i + 1)) + shift)).ToArray();
            var pooled = Enumerable.Range(0, 2).SelectMany(s => Enumerable.Range(0, Width).Select(i => Enumerable.Range(0, 3).Sum(t => hidden[(((s * 3) + t) * Width) + i]))).ToArray();
            return new Dictionary<string, TensorData>
            {
                ["hidden"] = TensorData.FromFloats([2, 3, Width], hidden),
                ["pooled"] = TensorData.FromFloats([2, Width], pooled),
            };
        }

        public void Dispose() { }
    }

    [Test]
    public void Hidden_states_and_a_pooled_vector_as_wide_are_embeddings_without_top_one()
    {
        var comparison = new ModelComparer(new ComparisonOptions { BatchSize = 2, MinTimedDuration = TimeSpan.Zero, Vocabulary = 10 })
            .Compare(new TokenSession(0), new TokenSession(0.5f), new Texts());

        var hidden = comparison.Outputs.Single(o => o.Name == "hidden");
        var pooled = comparison.Outputs.Single(o => o.Name == "pooled");
        Assert.That(hidden.Tokens!.Kind, Is.EqualTo(TokenOutputKind.Embedding));
        Assert.That(hidden.Tokens.Tokens, Is.EqualTo(5), "the padding position is left out by the texts' lengths");
        Assert.That(hidden.TopOneAgreement, Is.Null);
        Assert.That(pooled.IsClassifier, Is.False, "as wide as the hidden states, so a pooled embedding");
        Assert.That(pooled.TopOneAgreement, Is.Null);
        Assert.That(comparison.Primary, Is.SameAs(hidden));
    }
}
