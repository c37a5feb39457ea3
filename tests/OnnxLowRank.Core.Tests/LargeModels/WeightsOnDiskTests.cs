using System.Security.Cryptography;
using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Publishing;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

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
    public void RunningAModelWithWeightsOnDiskFromMemoryIsATypedError()
    {
        var input = PathOf("chain.onnx");
        OnnxModelFile.Save(GemmChain(), input, new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 100 });
        var onDisk = OnnxModelFile.Load(input, new ModelLoadOptions { KeepExternalDataOnDiskFrom = 0 });

        Assert.Throws<UnsupportedModelException>(() => Engine.Runner.Open(onDisk));
        Assert.Throws<UnsupportedModelException>(() => new CompressionPipeline(Engine.Runner).Compress(onDisk,
            new PipelineOptions { Method = "alds", Budget = BudgetKind.Flops, KeepFraction = 0.5 }));
    }
}
