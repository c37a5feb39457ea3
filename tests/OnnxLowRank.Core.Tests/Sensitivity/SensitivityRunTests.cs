using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Sensitivity;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Sensitivity;

/// <summary>
/// Measured sensitivity on the trained reference models with Fashion-MNIST calibration: the damage through a suffix is the
/// damage of the whole model with that one layer factorized, it vanishes at full rank and falls as the rank grows, and two
/// disjoint subsets of 128 images rank the ResNet's layers alike.
/// </summary>
public class SensitivityRunTests
{
    [TestCase("resnet.onnx", 4, 0.3)]
    [TestCase("resnet.onnx", 10, 0.5)]
    [TestCase("mlp.onnx", 1, 0.25)]
    public void DamageThroughTheSuffixIsTheWholeModelsDamage(string file, int layerIndex, double fraction)
    {
        var (model, analysis) = FashionMnistCalibration.Analyse(file);
        var layer = analysis.Layers[layerIndex];
        var size = CandidateSizes.For(layer, [fraction], AllocationSettings.Default, 1).Single();
        var measured = Measure(model, analysis, [layer], _ => [size], 128).Layers[layer.Name].Single().Damage;

        // The reference: the whole model with that layer factorized by the compressor, both models run on the same 128 images,
        // and the mean KL of their softmaxed logits computed here.
        var factorizer = new WhitenedFactorizer(analysis.Calibration!.Layers, analysis.Calibration.RelativeRidge, analysis.Calibration.CorrectBias);
        var compressed = new LowRankCompressor(factorizer).Compress(model, new CompressionPlan([new LayerPlan(layer.Name, size.SliceCount, size.Rank)])).Model;
        var inputs = FashionMnistCalibration.Images(model, 128);
        var output = model.Graph.Output[0].Name;
        var reference = MeanKl(Engine.Run(model, inputs)[output], Engine.Run(compressed, inputs)[output]);
        TestContext.Out.WriteLine($"{file} {layer.Name} at {size}: suffix {measured:E4}, whole model {reference:E4}");
        Assert.That(reference, Is.GreaterThan(1e-6), "the factorization changes the logits");
        Assert.That(measured, Is.EqualTo(reference).Within(1e-3).Percent.Or.EqualTo(reference).Within(1e-7));
    }

    [TestCase("resnet.onnx", 6)]
    [TestCase("mlp.onnx", 0)]
    public void DamageVanishesAtFullRankAndFallsAsTheRankGrows(string file, int layerIndex)
    {
        var (model, analysis) = FashionMnistCalibration.Analyse(file);
        var layer = analysis.Layers[layerIndex];
        var full = layer.Layer.Geometry.MaxRank(1);
        var ranks = new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256 }.Where(r => r < full).Append(full).ToList();
        var sizes = ranks.Select(r => new CandidateSize(0, 1, r, layer.Layer.Geometry.FactoredParameters(1, r))).ToList();
        var damage = Measure(model, analysis, [layer], _ => sizes, 64).Layers[layer.Name].Select(d => d.Damage).ToList();
        TestContext.Out.WriteLine($"{file} {layer.Name}: " + string.Join(", ", ranks.Zip(damage, (r, d) => $"rank {r}: {d:E3}")));
        Assert.That(damage[^1], Is.LessThan(1e-6), "full rank is the layer itself");
        Assert.That(damage[0], Is.GreaterThan(1e-3), "rank 1 damages the output");
        for (var i = 1; i < damage.Count; i++)
            Assert.That(damage[i], Is.LessThanOrEqualTo(damage[i - 1] * 1.1 + 1e-6), $"rank {ranks[i]} against rank {ranks[i - 1]}");
    }

    [Test]
    public void DisjointSubsetsRankTheLayersAlike()
    {
        var (model, analysis) = FashionMnistCalibration.Analyse("resnet.onnx");
        IReadOnlyList<CandidateSize> Half(LayerAnalysis l) => CandidateSizes.For(l, [0.5], AllocationSettings.Default, 1);
        var first = Measure(model, analysis, analysis.Layers, Half, 128, FashionMnistCalibration.Options(0, 128));
        var second = Measure(model, analysis, analysis.Layers, Half, 128, FashionMnistCalibration.Options(128, 128));
        var names = first.Layers.Keys.ToList();
        var a = names.Select(n => first.Layers[n].Single().Damage).ToArray();
        var b = names.Select(n => second.Layers[n].Single().Damage).ToArray();
        var rho = Spearman(a, b);
        foreach (var (name, i) in names.Select((n, i) => (n, i))) TestContext.Out.WriteLine($"{name}: {a[i]:E3} / {b[i]:E3}");
        TestContext.Out.WriteLine($"Spearman of the ResNet's {names.Count} layers' damage at 50%, images 0-127 against 128-255: {rho:0.000}");
        Assert.That(names, Has.Count.GreaterThanOrEqualTo(10));
        Assert.That(rho, Is.GreaterThanOrEqualTo(0.8));
    }

    private static SensitivityMeasurement Measure(
        ModelProto model, ModelAnalysis analysis, IReadOnlyList<LayerAnalysis> layers, Func<LayerAnalysis, IReadOnlyList<CandidateSize>> sizes, int samples,
        CalibrationOptions? data = null)
    {
        var factorizer = CompressionJob.Resolve(new PipelineOptions { Calibration = FashionMnistCalibration.Options() }).Factorizer(analysis.Calibration);
        return SensitivityRun.Measure(model, layers, Engine.Runner, data ?? FashionMnistCalibration.Options(), factorizer, new DiscoveryOptions(),
            new SensitivityOptions { Samples = samples }, sizes);
    }

    private static double MeanKl(TensorData original, TensorData compressed)
    {
        var p = original.ToDoubles();
        var q = compressed.ToDoubles();
        var width = (int)original.Shape[^1];
        var rows = p.Length / width;
        var total = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var lp = LogSoftmax(p.AsSpan(r * width, width));
            var lq = LogSoftmax(q.AsSpan(r * width, width));
            for (var i = 0; i < width; i++) total += Math.Exp(lp[i]) * (lp[i] - lq[i]);
        }
        return total / rows;
    }

    private static double[] LogSoftmax(ReadOnlySpan<double> x)
    {
        var max = double.NegativeInfinity;
        foreach (var v in x) max = Math.Max(max, v);
        var sum = 0.0;
        foreach (var v in x) sum += Math.Exp(v - max);
        var log = max + Math.Log(sum);
        var result = new double[x.Length];
        for (var i = 0; i < x.Length; i++) result[i] = x[i] - log;
        return result;
    }

    private static double Spearman(double[] a, double[] b)
    {
        var ra = Ranks(a);
        var rb = Ranks(b);
        var ma = ra.Average();
        var mb = rb.Average();
        var cov = ra.Zip(rb, (x, y) => (x - ma) * (y - mb)).Sum();
        return cov / Math.Sqrt(ra.Sum(x => (x - ma) * (x - ma)) * rb.Sum(y => (y - mb) * (y - mb)));
    }

    /// <summary>Ranks from 1, ties sharing their mean rank.</summary>
    private static double[] Ranks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]]) j++;
            for (var k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return ranks;
    }
}
