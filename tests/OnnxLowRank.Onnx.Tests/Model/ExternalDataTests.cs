using System.Diagnostics;
using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Onnx.Tests;

public sealed class ExternalDataTests
{
    private const string WeightName = "weight_under_test";

    private static readonly ModelLoadOptions KeepOnDisk = new() { KeepExternalDataOnDiskFrom = 0 };

    private DirectoryInfo _root = null!;
    private string _modelFolder = null!;

    [SetUp]
    public void CreateFolders()
    {
        _root = Directory.CreateTempSubdirectory("onnxio-external-");
        _modelFolder = Directory.CreateDirectory(Path.Combine(_root.FullName, "model")).FullName;
    }

    [TearDown]
    public void DeleteFolders() => _root.Delete(recursive: true);

    [Test]
    public void ConvModelSavedWithExternalDataReloadsEqualToTheInlineOriginal()
    {
        var original = OnnxModelFile.Load(Path.Combine(OnnxTestData.CaseFolder("pytorch-converted", "test_Conv2d"), "model.onnx"));
        var untouched = original.Clone();
        var path = Path.Combine(_modelFolder, "conv.onnx");

        // The 288-byte weight goes out, the 16-byte bias stays inline.
        OnnxModelFile.Save(original, path, new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 100 });

        Assert.That(original, Is.EqualTo(untouched), "Save must not modify the model it is given");
        var dataPath = Path.Combine(_modelFolder, "conv.onnx.data");
        Assert.That(File.Exists(dataPath), Is.True);
        var onDisk = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var weight = onDisk.Graph.Initializer.Single(t => t.Name == "1");
        var bias = onDisk.Graph.Initializer.Single(t => t.Name == "2");
        Assert.That(weight.DataLocation, Is.EqualTo(TensorProto.Types.DataLocation.External));
        Assert.That(weight.HasRawData, Is.False);
        Assert.That(bias.HasRawData, Is.True);
        var entries = weight.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        Assert.That(entries["location"], Is.EqualTo("conv.onnx.data"));
        var offset = long.Parse(entries["offset"]);
        var length = int.Parse(entries["length"]);
        Assert.That(offset % 4096, Is.Zero, "offsets are 4096-aligned");
        var sideBytes = File.ReadAllBytes(dataPath).AsSpan((int)offset, length).ToArray();
        Assert.That(sideBytes, Is.EqualTo(untouched.Graph.Initializer.Single(t => t.Name == "1").RawData.ToByteArray()));

        var reloaded = OnnxModelFile.Load(path);
        Assert.That(reloaded, Is.EqualTo(untouched));

        var inlinePath = Path.Combine(_modelFolder, "conv-inline.onnx");
        OnnxModelFile.Save(reloaded, inlinePath);
        Assert.That(OnnxModelFile.Load(inlinePath), Is.EqualTo(untouched));
        Assert.That(File.Exists(inlinePath + ".data"), Is.False, "a model under 2 GB is saved inline by default");
    }

    [Test]
    public void OnnxItselfReadsOurExternalDataLayout()
    {
        var source = Path.Combine(OnnxTestData.CaseFolder("pytorch-converted", "test_Conv2d"), "model.onnx");
        var path = Path.Combine(_modelFolder, "conv.onnx");
        OnnxModelFile.Save(OnnxModelFile.Load(source), path,
            new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 0, ExternalDataFileName = "weights.bin" });

        const string script = """
            import sys, numpy, onnx
            from onnx import numpy_helper
            onnx.checker.check_model(sys.argv[2])
            a = {t.name: numpy_helper.to_array(t) for t in onnx.load(sys.argv[1]).graph.initializer}
            b = onnx.load(sys.argv[2]).graph.initializer
            assert all(t.data_location == onnx.TensorProto.EXTERNAL for t in onnx.load(sys.argv[2], load_external_data=False).graph.initializer)
            assert len(a) == len(b) and all(numpy.array_equal(a[t.name], numpy_helper.to_array(t)) for t in b)
            print("ok", len(b))
            """;
        var (exitCode, output) = RunPython(script, source, path);
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output.Trim(), Is.EqualTo("ok 2"));
    }

    [Test]
    public void TensorsInSubgraphsAndSparseInitializersGoOutAndComeBack()
    {
        var model = MinimalModel(TensorCodec.FromFloats(WeightName, [256], new float[256], DataType.Float));
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Initializer.Add(TensorCodec.FromDoubles("inner", [300], Enumerable.Range(0, 300).Select(i => i * 0.5).ToArray(), DataType.Double));
        thenBranch.Output.Add(new ValueInfoProto { Name = "inner" });
        var elseBranch = thenBranch.Clone();
        elseBranch.Name = "else";
        var ifNode = new NodeProto { OpType = "If", Name = "branch", Input = { "cond" }, Output = { "z" } };
        ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch });
        ifNode.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = elseBranch });
        model.Graph.Node.Add(ifNode);
        var sparse = new SparseTensorProto
        {
            Values = TensorCodec.FromFloats("sparse", [200], Enumerable.Range(0, 200).Select(i => (float)i).ToArray(), DataType.Float),
            Indices = new TensorProto { Name = "sparse_indices", DataType = (int)DataType.Int64, Dims = { 200 } },
        };
        sparse.Indices.RawData = ByteString.CopyFrom(Enumerable.Range(0, 200).SelectMany(i => BitConverter.GetBytes((long)i * 3)).ToArray());
        sparse.Dims.Add(600);
        model.Graph.SparseInitializer.Add(sparse);

        var path = Path.Combine(_modelFolder, "nested.onnx");
        OnnxModelFile.Save(model, path, new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 512 });

        var onDisk = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var storedThen = onDisk.Graph.Node.Single(n => n.OpType == "If").Attribute[0].G.Initializer[0];
        Assert.That(storedThen.DataLocation, Is.EqualTo(TensorProto.Types.DataLocation.External), "subgraph initializer");
        Assert.That(onDisk.Graph.SparseInitializer[0].Values.DataLocation, Is.EqualTo(TensorProto.Types.DataLocation.External));
        Assert.That(onDisk.Graph.SparseInitializer[0].Indices.DataLocation, Is.EqualTo(TensorProto.Types.DataLocation.External));
        Assert.That(OnnxModelFile.Load(path), Is.EqualTo(model));
    }

    [Test]
    public void WeightsKeptOnDiskAreCopiedIntoTheSavedModelsOwnDataFile()
    {
        var source = Path.Combine(_modelFolder, "conv.onnx");
        OnnxModelFile.Save(OnnxModelFile.Load(Path.Combine(OnnxTestData.CaseFolder("pytorch-converted", "test_Conv2d"), "model.onnx")), source,
            new ModelSaveOptions { UseExternalData = true, ExternalThresholdBytes = 100 });
        var inMemory = OnnxModelFile.Load(source);
        var onDisk = OnnxModelFile.Load(source, KeepOnDisk);
        Assert.That(DiskTensor.AnyIn(onDisk), Is.True);
        Assert.That(DiskTensor.AnyIn(inMemory), Is.False);
        Assert.Throws<UnsupportedModelException>(() => OnnxModelFile.ToBytes(onDisk));

        var saved = Path.Combine(Directory.CreateDirectory(Path.Combine(_root.FullName, "out")).FullName, "copy.onnx");
        OnnxModelFile.Save(onDisk, saved);

        var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(saved));
        var locations = written.Graph.Initializer.SelectMany(t => t.ExternalData).Where(e => e.Key == "location").Select(e => e.Value).ToList();
        Assert.That(locations, Is.Not.Empty.And.All.EqualTo("copy.onnx.data"), "bytes left on disk move to the output's own data file, even unasked");
        Assert.That(OnnxModelFile.Load(saved), Is.EqualTo(inMemory));
    }

    [TestCase(-1, ExpectedResult = true, TestName = "finite weights on disk")]
    [TestCase(4, ExpectedResult = false, TestName = "NaN in the first weight element on disk")]
    [TestCase(7, ExpectedResult = false, TestName = "NaN in the last weight element on disk")]
    [TestCase(3, ExpectedResult = true, TestName = "NaN on disk before the weight's range")]
    public bool FinitenessOfWeightsOnDiskIsReadFromTheirRangeOfTheFile(int nanAt)
    {
        var path = WriteModelPointingAt("w.bin", "16", "16");
        var values = Enumerable.Range(1, 8).Select(i => (float)i).ToArray();
        if (nanAt >= 0) values[nanAt] = float.NaN;
        File.WriteAllBytes(Path.Combine(_modelFolder, "w.bin"), values.SelectMany(BitConverter.GetBytes).ToArray());

        var onDisk = OnnxModelFile.Load(path, KeepOnDisk).Graph.Initializer[0];
        Assert.That(TensorCodec.AllFinite(onDisk), Is.EqualTo(TensorCodec.AllFinite(OnnxModelFile.Load(path).Graph.Initializer[0])));
        return TensorCodec.AllFinite(onDisk);
    }

    [TestCase("../outside.bin", TestName = "location with '..' is refused")]
    [TestCase("sub/../../outside.bin", TestName = "location with '..' after a folder is refused")]
    [TestCase("missing.bin", TestName = "missing file is refused")]
    [TestCase("sub", TestName = "a folder is refused")]
    public void UnsafeOrMissingLocationIsRefused(string location)
    {
        Directory.CreateDirectory(Path.Combine(_modelFolder, "sub"));
        var path = WriteModelPointingAt(location);
        AssertRefused(path);
    }

    [Test]
    public void AbsoluteLocationIsRefused()
    {
        var path = WriteModelPointingAt(Path.Combine(_modelFolder, "w.bin"));
        var error = AssertRefused(path);
        Assert.That(error.Message, Does.Contain("absolute"));
    }

    [Test]
    public void SymbolicLinkToAFileOutsideTheFolderIsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_modelFolder, "link.bin"), OutsideFile());
        AssertRefused(WriteModelPointingAt("link.bin"));
    }

    [Test]
    public void SymbolicLinkedFolderOutsideTheFolderIsRefused()
    {
        var outsideFolder = Directory.CreateDirectory(Path.Combine(_root.FullName, "elsewhere")).FullName;
        File.WriteAllBytes(Path.Combine(outsideFolder, "w.bin"), new byte[16]);
        Directory.CreateSymbolicLink(Path.Combine(_modelFolder, "linked"), outsideFolder);
        AssertRefused(WriteModelPointingAt("linked/w.bin"));
    }

    [Test]
    public void SymbolicLinkWithinTheFolderIsFollowed()
    {
        File.CreateSymbolicLink(Path.Combine(_modelFolder, "alias.bin"), "w.bin");
        var path = WriteModelPointingAt("alias.bin");
        Assert.That(TensorCodec.ToFloats(OnnxModelFile.Load(path).Graph.Initializer[0]), Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
        Assert.That(TensorCodec.ToFloats(OnnxModelFile.Load(path, KeepOnDisk).Graph.Initializer[0]), Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
    }

    [TestCase("0", "16", ExpectedResult = new[] { 1f, 2f, 3f, 4f }, TestName = "whole file")]
    [TestCase("16", "16", ExpectedResult = new[] { 5f, 6f, 7f, 8f }, TestName = "second half")]
    [TestCase("16", "", ExpectedResult = new[] { 5f, 6f, 7f, 8f }, TestName = "no length reads to the end")]
    public float[] OffsetAndLengthSelectTheBytes(string offset, string length)
    {
        var path = WriteModelPointingAt("w.bin", offset, length);
        var model = OnnxModelFile.Load(path);
        var tensor = model.Graph.Initializer[0];
        Assert.That(tensor.ExternalData, Is.Empty);
        Assert.That(tensor.HasDataLocation, Is.False);
        var onDisk = OnnxModelFile.Load(path, KeepOnDisk);
        Assert.That(DiskTensor.AnyIn(onDisk), Is.True);
        Assert.That(TensorCodec.ToFloats(onDisk.Graph.Initializer[0]), Is.EqualTo(TensorCodec.ToFloats(tensor)), "read on demand from disk");
        return TensorCodec.ToFloats(tensor);
    }

    [TestCase("40", "16", TestName = "offset past the end is refused")]
    [TestCase("24", "16", TestName = "range running past the end is refused")]
    [TestCase("0", "9223372036854775807", TestName = "huge length is refused before allocating")]
    [TestCase("-1", "16", TestName = "negative offset is refused")]
    [TestCase("0", "-16", TestName = "negative length is refused")]
    [TestCase("0", "8", TestName = "length disagreeing with dims is refused")]
    [TestCase("x", "16", TestName = "non-numeric offset is refused")]
    public void BadOffsetOrLengthIsRefused(string offset, string length)
    {
        AssertRefused(WriteModelPointingAt("w.bin", offset, length));
    }

    [Test]
    public void ParsingBytesWithoutAFolderRefusesExternalData()
    {
        var bytes = File.ReadAllBytes(WriteModelPointingAt("w.bin"));
        var error = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(bytes));
        Assert.That(error!.Message, Does.Contain($"'{WeightName}'"));
        Assert.That(OnnxModelFile.Parse(bytes, _modelFolder).Graph.Initializer[0].HasRawData, Is.True);
    }

    [TestCase("", TestName = "empty data file name")]
    [TestCase("sub/w.bin", TestName = "data file name with a folder")]
    [TestCase("..", TestName = "data file name '..'")]
    [TestCase("m.onnx", TestName = "data file name equal to the model's")]
    public void DataFileNameMustBeAPlainOtherName(string name)
    {
        var model = MinimalModel(TensorCodec.FromFloats(WeightName, [4], [1f, 2f, 3f, 4f], DataType.Float));
        Assert.Throws<ArgumentException>(() => OnnxModelFile.Save(model, Path.Combine(_modelFolder, "m.onnx"),
            new ModelSaveOptions { UseExternalData = true, ExternalDataFileName = name }));
    }

    private string OutsideFile()
    {
        var outside = Path.Combine(_root.FullName, "outside.bin");
        File.WriteAllBytes(outside, WeightBytes());
        return outside;
    }

    [Test]
    public void WeightsOnDiskAreNamedRelativeToTheFolderHoldingAllTheirDataFiles()
    {
        // Two data files, one in a subfolder: the common folder is the model's, and each location leads from it.
        var path = WriteModelPointingAt("w.bin", offset: "4", length: "16");
        Directory.CreateDirectory(Path.Combine(_modelFolder, "sub"));
        File.WriteAllBytes(Path.Combine(_modelFolder, "sub", "v.bin"), WeightBytes());
        // Parsed as stored, so the first weight keeps its external reference.
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var second = model.Graph.Initializer[0].Clone();
        second.Name = "second";
        second.ExternalData.Clear();
        second.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "sub/v.bin" });
        second.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "8" });
        second.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "16" });
        model.Graph.Initializer.Add(second);
        File.WriteAllBytes(path, model.ToByteArray());
        var onDisk = OnnxModelFile.Load(path, KeepOnDisk);
        var untouched = onDisk.Clone();

        var (relative, folder) = RelativeDiskTensors.Of(onDisk);

        Assert.That(onDisk, Is.EqualTo(untouched), "the model given is not modified");
        Assert.That(folder, Is.EqualTo(RealPath.Of(_modelFolder)));
        var locations = relative.Graph.Initializer.Select(t => t.ExternalData.Single(e => e.Key == "location").Value);
        Assert.That(locations, Is.EqualTo(new[] { "w.bin", "sub/v.bin" }));
        Assert.That(DiskTensor.AnyIn(relative), Is.False, "no absolute location is left");
        // Parsed against that folder, as an engine reads it, the copy holds the input's values.
        var reread = OnnxModelFile.Parse(OnnxModelFile.ToBytes(relative), folder);
        float[] Floats(TensorProto t) => Enumerable.Range(0, 4).Select(i => BitConverter.ToSingle(t.RawData.Span[(4 * i)..])).ToArray();
        Assert.That(Floats(reread.Graph.Initializer[0]), Is.EqualTo(new float[] { 2, 3, 4, 5 }), "w.bin from byte 4");
        Assert.That(Floats(reread.Graph.Initializer[1]), Is.EqualTo(new float[] { 3, 4, 5, 6 }), "sub/v.bin from byte 8");
    }

    [Test]
    public void AModelWithNoWeightOnDiskNeedsNoFolder()
    {
        var model = OnnxModelFile.Load(WriteModelPointingAt("w.bin"));
        var (relative, folder) = RelativeDiskTensors.Of(model);
        Assert.That(folder, Is.Null);
        Assert.That(relative, Is.EqualTo(model));
    }

    /// <summary>A model whose one initializer points at <paramref name="location"/>; w.bin holds the floats 1..8.</summary>
    private string WriteModelPointingAt(string location, string offset = "0", string length = "16")
    {
        OutsideFile();
        File.WriteAllBytes(Path.Combine(_modelFolder, "w.bin"), WeightBytes());
        var weight = new TensorProto
        {
            Name = WeightName,
            DataType = (int)DataType.Float,
            Dims = { 4 },
            DataLocation = TensorProto.Types.DataLocation.External,
            ExternalData = { new StringStringEntryProto { Key = "location", Value = location } },
        };
        if (offset.Length > 0) weight.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset });
        if (length.Length > 0) weight.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length });
        var path = Path.Combine(_modelFolder, "model.onnx");
        File.WriteAllBytes(path, MinimalModel(weight).ToByteArray());
        return path;
    }

    private static byte[] WeightBytes() => Enumerable.Range(1, 8).SelectMany(i => BitConverter.GetBytes((float)i)).ToArray();

    private static ModelProto MinimalModel(TensorProto weight)
    {
        var graph = new GraphProto { Name = "g", Initializer = { weight } };
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "copy", Input = { weight.Name }, Output = { "y" } });
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        return new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 13 } } };
    }

    /// <summary>Refused whether the data would be copied into memory or left on disk: both go through the same checks.</summary>
    private static InvalidModelException AssertRefused(string modelPath)
    {
        var keptOnDisk = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Load(modelPath, KeepOnDisk));
        Assert.That(keptOnDisk!.Message, Does.Contain($"'{WeightName}'"), "the message names the tensor");
        var error = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Load(modelPath));
        Assert.That(error!.Message, Does.Contain($"'{WeightName}'"), "the message names the tensor");
        Assert.That(error.FilePath, Is.EqualTo(modelPath));
        return error;
    }

    private static (int ExitCode, string Output) RunPython(string script, params string[] arguments)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) Assert.Fail($"{python} not found: install python3-onnx (CI does).");
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
