using System.Security.Cryptography;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Publishing;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.Publishing;

public class VerifiedModelWriterTests
{
    private DirectoryInfo _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxlowrank-publish-");

    [TearDown]
    public void DeleteFolder() => _folder.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_folder.FullName, name);

    private static VerifiedModelWriter Writer => new(Engine.Runner);

    /// <summary>Two Gemm layers, 32 -> 32 -> 8, with random weights.</summary>
    private static ModelProto TwoGemms()
    {
        var b = new ModelBuilder();
        b.Node("Gemm", "fc1", [b.Input("X", 1, 32), b.Initializer("W1", [32, 32], RandomValues.Normal(1, 1024))], "h", ModelBuilder.Int("transB", 1));
        b.Node("Gemm", "fc2", ["h", b.Initializer("W2", [8, 32], RandomValues.Normal(2, 256))], b.Output("Y"), ModelBuilder.Int("transB", 1));
        return b.Build();
    }

    /// <summary>A model ONNX Runtime refuses to load: its one node is an operator that does not exist.</summary>
    private static ModelProto RefusedByTheEngine()
    {
        var b = new ModelBuilder();
        b.Node("NoSuchOperator", "bad", [b.Input("X", 1, 4)], b.Output("Y"));
        return b.Build();
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private string[] Entries() => _folder.EnumerateFileSystemInfos().Select(f => f.Name).Order(StringComparer.Ordinal).ToArray();

    [Test]
    public void CompressingLeavesTheInputFileUnchangedAndPublishesAModelTheEngineRuns()
    {
        var input = PathOf("model.onnx");
        OnnxModelFile.Save(TwoGemms(), input);
        var before = Hash(input);

        var model = OnnxModelFile.Load(input);
        var result = new CompressionPipeline(Engine.Runner).Compress(model, new PipelineOptions { Method = "alds", KeepFraction = 0.5 });
        var published = Writer.Write(result.Compression.Model, PathOf("out.onnx"), new PublishOptions { SourcePath = input });

        Assert.That(Hash(input), Is.EqualTo(before));
        Assert.That(published.ModelPath, Is.EqualTo(PathOf("out.onnx")));
        Assert.That(Entries(), Is.EqualTo(new[] { "model.onnx", "out.onnx" }), "no staging files are left behind");
        var reloaded = OnnxModelFile.Load(published.ModelPath);
        Assert.That(reloaded.Graph.Node.Count, Is.GreaterThan(2), "the published file is the rewritten model");
        var x = new Dictionary<string, TensorData> { ["X"] = TensorData.FromFloats([1, 32], Array.ConvertAll(RandomValues.Normal(3, 32), v => (float)v)) };
        Assert.That(Engine.Run(reloaded, x)["Y"].AsFloats(), Is.EqualTo(Engine.Run(result.Compression.Model, x)["Y"].AsFloats()));
    }

    [Test]
    public void ModelTheEngineRefusesIsNotPublishedAndLeavesNoPartialFile()
    {
        var destination = PathOf("out.onnx");

        Assert.Throws<OnnxRuntimeException>(() => Writer.Write(RefusedByTheEngine(), destination));

        Assert.That(Entries(), Is.Empty);
    }

    [Test]
    public void FailedVerificationLeavesAnExistingDestinationUntouched()
    {
        var destination = PathOf("out.onnx");
        File.WriteAllText(destination, "previous contents");

        Assert.Throws<OnnxRuntimeException>(() => Writer.Write(RefusedByTheEngine(), destination));

        Assert.That(File.ReadAllText(destination), Is.EqualTo("previous contents"));
        Assert.That(Entries(), Is.EqualTo(new[] { "out.onnx" }));
    }

    [Test]
    public void FailedVerificationOfAnExternalDataModelLeavesNoSideFile()
    {
        var options = new PublishOptions { Save = new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 0 } };
        var b = new ModelBuilder();
        b.Node("NoSuchOperator", "bad", [b.Input("X", 1, 4), b.Initializer("W", [4, 4], RandomValues.Normal(4, 16))], b.Output("Y"));

        Assert.Throws<OnnxRuntimeException>(() => Writer.Write(b.Build(), PathOf("out.onnx"), options));

        Assert.That(Entries(), Is.Empty);
    }

    [Test]
    public void OutputEqualToTheInputIsRefusedWithoutForce()
    {
        var input = PathOf("model.onnx");
        OnnxModelFile.Save(TwoGemms(), input);
        var before = Hash(input);

        var e = Assert.Throws<OutputFileException>(() => Writer.Write(TwoGemms(), Path.Combine(_folder.FullName, ".", "model.onnx"), new PublishOptions { SourcePath = input }));

        Assert.That(e!.FilePath, Is.EqualTo(input));
        Assert.That(e.Advice, Does.Contain("--force"));
        Assert.That(Hash(input), Is.EqualTo(before));
    }

    [Test]
    public void OutputReachingTheInputThroughASymbolicLinkIsRefusedWithoutForce()
    {
        var input = PathOf("model.onnx");
        OnnxModelFile.Save(TwoGemms(), input);
        var before = Hash(input);
        File.CreateSymbolicLink(PathOf("alias.onnx"), input);

        Assert.Throws<OutputFileException>(() => Writer.Write(TwoGemms(), PathOf("alias.onnx"), new PublishOptions { SourcePath = input }));
        Assert.Throws<OutputFileException>(() => VerifiedModelWriter.CheckDestination(PathOf("alias.onnx"), input, force: false));

        Assert.That(Hash(input), Is.EqualTo(before));
    }

    [Test]
    public void WithForceTheInputIsReplacedByRenameNeverWrittenInPlace()
    {
        var input = PathOf("model.onnx");
        OnnxModelFile.Save(TwoGemms(), input);
        var original = File.ReadAllBytes(input);
        var model = OnnxModelFile.Load(input);
        var compressed = new CompressionPipeline(Engine.Runner).Compress(model, new PipelineOptions { Method = "alds" }).Compression.Model;

        // A reader holding the old file keeps seeing the old bytes only if the file was replaced, not rewritten.
        using var heldOpen = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Writer.Write(compressed, input, new PublishOptions { SourcePath = input, Force = true });

        var seenByHolder = new byte[original.Length + 1];
        var read = heldOpen.Read(seenByHolder);
        Assert.That(seenByHolder[..read], Is.EqualTo(original));
        Assert.That(File.ReadAllBytes(input), Is.EqualTo(OnnxModelFile.ToBytes(compressed)));
        Assert.That(Entries(), Is.EqualTo(new[] { "model.onnx" }));
    }

    [Test]
    public void ThroughALinkTheLinkedFileIsReplacedAndTheLinkKept()
    {
        Directory.CreateDirectory(PathOf("real"));
        File.WriteAllText(PathOf("real/out.onnx"), "old");
        File.CreateSymbolicLink(PathOf("link.onnx"), PathOf("real/out.onnx"));

        var published = Writer.Write(TwoGemms(), PathOf("link.onnx"));

        Assert.That(published.ModelPath, Is.EqualTo(PathOf("real/out.onnx")));
        Assert.That(new FileInfo(PathOf("link.onnx")).LinkTarget, Is.Not.Null);
        Assert.That(OnnxModelFile.Load(PathOf("link.onnx")).Graph.Node.Select(n => n.Name), Is.EqualTo(new[] { "fc1", "fc2" }));
    }

    [Test]
    public void ExternalDataSideFileIsPublishedBesideTheModel()
    {
        var options = new PublishOptions { Save = new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 0 } };

        var published = Writer.Write(TwoGemms(), PathOf("out.onnx"), options);

        Assert.That(published.SideFiles, Is.EqualTo(new[] { PathOf("out.onnx.data") }));
        Assert.That(Entries(), Is.EqualTo(new[] { "out.onnx", "out.onnx.data" }));
        var reloaded = OnnxModelFile.Load(PathOf("out.onnx"));
        Assert.That(TensorCodec.ToDoubles(reloaded.Graph.Initializer.Single(t => t.Name == "W1")), Is.EqualTo(TensorCodec.ToDoubles(TwoGemms().Graph.Initializer[0])));
    }

    [Test]
    public void FolderAsDestinationIsRefused()
    {
        Directory.CreateDirectory(PathOf("dir"));

        Assert.Throws<OutputFileException>(() => Writer.Write(TwoGemms(), PathOf("dir")));
    }

    [Test]
    public void MissingDestinationFoldersAreCreated()
    {
        Writer.Write(TwoGemms(), PathOf("new/folder/out.onnx"));

        Assert.That(Directory.EnumerateFileSystemEntries(PathOf("new/folder")).Select(Path.GetFileName), Is.EqualTo(new[] { "out.onnx" }));
    }

    [Test]
    public void DestinationBelowAPlainFileIsATypedError()
    {
        File.WriteAllText(PathOf("file.txt"), "not a folder");

        var e = Assert.Throws<OutputFileException>(() => Writer.Write(TwoGemms(), PathOf("file.txt/out.onnx")));

        Assert.That(e!.InnerException, Is.InstanceOf<IOException>());
        Assert.That(Entries(), Is.EqualTo(new[] { "file.txt" }));
    }
}
