using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Publishing;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Core.Validation;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.LargeModels;

/// <summary>
/// The code path of models over 2 GB, forced on a small model by a low bound: weights stay in the input's data
/// file, are read on demand, and the output's weights are streamed to its own data file. The result must be the
/// model the in-memory path writes, and ONNX Runtime, reading it from its file, must compute what it computes.
/// </summary>
public class WeightsOnDiskTests
{
    private DirectoryInfo _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxlowrank-ondisk-");

    [TearDown]
    public void DeleteFolder() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    /// <summary>A Gemm chain 48 -> 16 -> 48 -> 8 with random weights, alternating wide and narrow like tools/make_large_model.py.</summary>
    private static ModelProto GemmChain()
    {
        var b = new ModelBuilder();
        b.Node("Gemm", "gemm0", [b.Input("X", 1, 48), b.Initializer("W0", [16, 48], RandomValues.Normal(1, 768))], "h0", ModelBuilder.Int("transB", 1));
        b.Node("Gemm", "gemm1", ["h0", b.Initializer("W1", [48, 16], RandomValues.Normal(2, 768))], "h1", ModelBuilder.Int("transB", 1));
        b.Node("Gemm", "gemm2", ["h1", b.Initializer("W2", [8, 48], RandomValues.Normal(3, 384))], b.Output("Y"), ModelBuilder.Int("transB", 1));
        return b.Build();
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Test]
    public void CompressingWithWeightsOnDiskWritesTheModelTheInMemoryPathWrites()
    {
        var input = PathOf("chain.onnx");
        OnnxModelFile.Save(GemmChain(), input, new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 100 });
        var hashes = new[] { Hash(input), Hash(input + ".data") };
        // gemm2 stays whole, so its weight is still on disk when the output is written and must be streamed into it.
        var options = new PipelineOptions { Method = "alds", KeepFraction = 0.5, Exclude = ["gemm2"] };
        var writer = new VerifiedModelWriter(Engine.Runner);

        var onDisk = OnnxModelFile.Load(input, new ModelLoadOptions { KeepExternalDataOnDiskFrom = 0 });
        Assert.That(DiskTensor.BytesIn(onDisk), Is.EqualTo(4 * (768 + 768 + 384)), "every weight stays in the data file");
        var fromDisk = new CompressionPipeline(Engine.Runner).Compress(onDisk, options);
        var published = writer.Write(fromDisk.Compression.Model, PathOf("out-disk.onnx"), new PublishOptions { SourcePath = input });

        var inMemory = OnnxModelFile.Load(input);
        Assert.That(DiskTensor.AnyIn(inMemory), Is.False);
        var fromMemory = new CompressionPipeline(Engine.Runner).Compress(inMemory, options);
        writer.Write(fromMemory.Compression.Model, PathOf("out-memory.onnx"));

        Assert.That(fromDisk.Compression.Layers.Select(l => l.NodeName), Is.EqualTo(new[] { "gemm0", "gemm1" }));
        Assert.That(published.SideFiles, Is.EqualTo(new[] { PathOf("out-disk.onnx.data") }), "weights still on disk make the output use external data");
        Assert.That(new[] { Hash(input), Hash(input + ".data") }, Is.EqualTo(hashes), "the input and its data file are untouched");
        Assert.That(fromDisk.Allocation.Layers.Select(l => (l.Name, l.SliceCount, l.Rank)),
            Is.EqualTo(fromMemory.Allocation.Layers.Select(l => (l.Name, l.SliceCount, l.Rank))));
        Assert.That(OnnxModelFile.Load(PathOf("out-disk.onnx")), Is.EqualTo(OnnxModelFile.Load(PathOf("out-memory.onnx"))));

        var feeds = new Dictionary<string, TensorData> { ["X"] = new(TensorProto.Types.DataType.Float, [1, 48], RandomValues.Normal(4, 48).Select(v => (float)v).ToArray()) };
        using var fromFile = Engine.Runner.OpenFile(PathOf("out-disk.onnx"));
        using var reference = Engine.Runner.Open(fromMemory.Compression.Model);
        // From its file the engine skips weight prepacking, which may round float sums differently (a few ulps).
        var expected = reference.Run(feeds)["Y"].ToDoubles();
        Assert.That(fromFile.Run(feeds)["Y"].ToDoubles(), Is.EqualTo(expected).Within(1e-5 * expected.Max(Math.Abs)));
    }

    [Test]
    public void CalibratingAModelWithWeightsOnDiskUnderAFlopBudgetGivesTheInMemoryResultAndLeavesItsFilesAlone()
    {
        var input = PathOf("chain.onnx");
        OnnxModelFile.Save(GemmChain(), input, new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 100 });
        var hashes = new[] { Hash(input), Hash(input + ".data") };
        var options = new PipelineOptions
        {
            Method = "alds",
            Budget = BudgetKind.Flops,
            KeepFraction = 0.5,
            Calibration = new CalibrationOptions(inputs => new RandomDataSource(inputs, DimensionSizes.None, new DataSlice(Limit: 8), seed: 5)) { BatchSize = 4 },
        };

        var onDisk = OnnxModelFile.Load(input, new ModelLoadOptions { KeepExternalDataOnDiskFrom = 0 });
        Assert.That(DiskTensor.AnyIn(onDisk), Is.True);
        var fromDisk = new CompressionPipeline(Engine.Runner).Compress(onDisk, options);
        var fromMemory = new CompressionPipeline(Engine.Runner).Compress(OnnxModelFile.Load(input), options);

        Assert.That(new[] { Hash(input), Hash(input + ".data") }, Is.EqualTo(hashes), "the input and its data file are untouched");
        Assert.That(fromDisk.Analysis.Calibration!.Samples, Is.EqualTo(8));
        Assert.That(fromDisk.Allocation.Layers.Select(l => (l.Name, l.SliceCount, l.Rank)),
            Is.EqualTo(fromMemory.Allocation.Layers.Select(l => (l.Name, l.SliceCount, l.Rank))));
        var expected = fromMemory.Compression.Model.Graph.Initializer.ToDictionary(t => t.Name);
        var actual = fromDisk.Compression.Model.Graph.Initializer;
        Assert.That(actual.Select(t => t.Name), Is.EquivalentTo(expected.Keys));
        foreach (var tensor in actual)
        {
            var want = Tensors.FromProto(expected[tensor.Name]).ToDoubles();
            // The engine runs the staged file without weight prepacking, the in-memory model with it: the captured layer
            // inputs may differ in the last float bits, and the factors computed from them by as little.
            Assert.That(Tensors.FromProto(tensor).ToDoubles(), Is.EqualTo(want).Within(1e-5 * want.Max(Math.Abs)), tensor.Name);
        }
    }

    [Test]
    public void ValidatingAModelWithWeightsOnDiskComparesTheWrittenFilesInTheEngine()
    {
        var input = PathOf("chain.onnx");
        OnnxModelFile.Save(GemmChain(), input, new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 100 });
        var hashes = new[] { Hash(input), Hash(input + ".data") };
        var onDisk = OnnxModelFile.Load(input, new ModelLoadOptions { KeepExternalDataOnDiskFrom = 0 });
        var compressed = new CompressionPipeline(Engine.Runner).Compress(onDisk, new PipelineOptions { Method = "alds", KeepFraction = 0.5, Exclude = ["gemm2"] });
        var output = PathOf("out.onnx");
        new VerifiedModelWriter(Engine.Runner).Write(compressed.Compression.Model, output,
            new PublishOptions { SourcePath = input, Save = new ModelSaveOptions { UseExternalData = true } });

        var runner = new FileRecorder(Engine.Runner);
        ModelComparison comparison;
        using (var sessions = ComparedSessions.Open(runner, onDisk, compressed.Compression.Model, input, output))
        {
            var data = new RandomDataSource(sessions.Original.Inputs, DimensionSizes.None, new DataSlice(Limit: 6), seed: 9);
            var options = new ComparisonOptions { BatchSize = 3, WarmupRuns = 0, MinTimedRuns = 0, MinTimedDuration = TimeSpan.Zero };
            comparison = new ModelComparer(options).Compare(sessions.Original, sessions.Compressed, data);
        }

        Assert.That(runner.Opened, Is.EqualTo(new[] { input, output }), "both models are opened from their files, none from memory");
        Assert.That(new[] { Hash(input), Hash(input + ".data") }, Is.EqualTo(hashes), "the input and its data file are untouched");
        // The reference: ONNX Runtime's own session on each file, fed the same six samples, the error figures computed here.
        var feeds = new RandomDataSource(runner.Inputs!, DimensionSizes.None, new DataSlice(Limit: 6), seed: 9).ReadBatches(3).Select(b => b.Inputs["X"]).ToList();
        var original = feeds.SelectMany(x => RunFile(input, x)).ToArray();
        var written = feeds.SelectMany(x => RunFile(output, x)).ToArray();
        var difference = original.Zip(written, (a, b) => a - b).ToArray();
        var y = comparison.Outputs.Single();
        Assert.That(y.Elements, Is.EqualTo(6 * 8));
        Assert.That(y.MaxAbsoluteError, Is.EqualTo(difference.Max(Math.Abs)).Within(1e-9).Percent);
        Assert.That(y.RelativeL2Error, Is.EqualTo(Norm(difference) / Norm(original)).Within(1e-9).Percent);
        Assert.That(y.RelativeL2Error, Is.GreaterThan(1e-3), "the factors are truncated, so the outputs must move");
    }

    private static double Norm(double[] values) => Math.Sqrt(values.Sum(v => v * v));

    /// <summary>
    /// Runs the model file in ONNX Runtime's own session, without this project's runner, and returns output Y. Weight
    /// prepacking is off, as in the runner's sessions on files: it changes the last float bits of Gemm's sums.
    /// </summary>
    private static double[] RunFile(string path, TensorData x)
    {
        using var options = OnnxRuntimeSessions.Options();
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        using var session = OnnxRuntimeSessions.Open(path, options);
        using var value = OrtValue.CreateTensorValueFromMemory(x.ToDoubles().Select(v => (float)v).ToArray(), x.Shape);
        using var results = OnnxRuntimeSessions.Run(session, ["X"], [value], ["Y"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>The engine as it is, recording which models it opens from files and refusing any opened from memory.</summary>
    private sealed class FileRecorder(IModelRunner engine) : IModelRunner
    {
        public List<string> Opened { get; } = [];

        /// <summary>The first opened model's inputs.</summary>
        public IReadOnlyList<ValueDescriptor>? Inputs { get; private set; }

        public IModelSession Open(ModelProto model, IReadOnlyCollection<string>? exposedValues = null) =>
            throw new AssertionException("a model was opened from memory");

        public IModelSession OpenFile(string path)
        {
            Opened.Add(path);
            var session = engine.OpenFile(path);
            Inputs ??= session.Inputs;
            return session;
        }
    }
}
