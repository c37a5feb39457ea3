using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx.Tests;

public sealed class OnnxModelFileCorpusTests
{
    [Test]
    public void EveryCorpusModelLoadsSavesAndReloadsUnchanged()
    {
        var folder = Directory.CreateTempSubdirectory("onnxio-corpus-");
        try
        {
            var failures = new List<string>();
            var total = 0;
            foreach (var suite in OnnxTestData.Suites)
            {
                var count = 0;
                foreach (var caseFolder in OnnxTestData.CaseFolders(suite))
                {
                    var path = Path.Combine(caseFolder, "model.onnx");
                    if (!File.Exists(path)) continue;
                    count++;
                    try
                    {
                        // Reference: the file parsed by protobuf alone, with no checks or rewriting of ours.
                        var reference = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
                        var loaded = OnnxModelFile.Load(path);
                        var copy = Path.Combine(folder.FullName, "model.onnx");
                        OnnxModelFile.Save(loaded, copy);
                        var reloaded = OnnxModelFile.Load(copy);
                        if (!loaded.Equals(reference)) failures.Add($"{path}: Load changed the model");
                        if (!reloaded.Equals(reference)) failures.Add($"{path}: save and reload changed the model");
                    }
                    catch (OnnxLowRankException e)
                    {
                        failures.Add($"{path}: {e.Message}");
                    }
                }
                TestContext.Out.WriteLine($"{suite}: {count} models");
                total += count;
            }
            TestContext.Out.WriteLine($"total: {total} models round-tripped");

            Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(20)));
            Assert.That(total, Is.GreaterThanOrEqualTo(1000), "expected the full libonnx-testdata corpus");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void EveryCorpusGraphIsFoundSortedAndKeepsItsOrder()
    {
        // ONNX requires graphs in topological order, so every corpus graph is a sorted reference.
        var checkedGraphs = 0;
        foreach (var suite in OnnxTestData.Suites)
        {
            foreach (var caseFolder in OnnxTestData.CaseFolders(suite))
            {
                var path = Path.Combine(caseFolder, "model.onnx");
                if (!File.Exists(path)) continue;
                var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
                var index = new GraphIndex(graph);
                Assert.That(index.IsTopologicallySorted, Is.True, path);
                Assert.That(index.TopologicalOrder(), Is.EqualTo(graph.Node).AsCollection, path);
                checkedGraphs++;
            }
        }
        Assert.That(checkedGraphs, Is.GreaterThanOrEqualTo(1000));
    }

    [Test]
    public void SavedBytesParseBackWithPlainProtobuf()
    {
        var path = Path.Combine(OnnxTestData.CaseFolder("pytorch-converted", "test_Conv2d"), "model.onnx");
        var model = OnnxModelFile.Load(path);
        Assert.That(ModelProto.Parser.ParseFrom(OnnxModelFile.ToBytes(model)), Is.EqualTo(model));
        Assert.That(OnnxModelFile.ToBytes(model), Is.EqualTo(model.ToByteArray()));
    }
}
