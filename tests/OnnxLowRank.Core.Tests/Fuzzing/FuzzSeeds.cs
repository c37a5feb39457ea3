using System.Runtime.CompilerServices;
using Google.Protobuf;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Fuzzing;

/// <summary>A valid model the fuzzer starts from: its name and its bytes.</summary>
internal sealed record FuzzSeed(string Name, byte[] Bytes)
{
    /// <summary>The reference models are large; they get a longer time limit and are drawn rarely.</summary>
    public bool IsLarge => Bytes.Length > 256 * 1024;
}

/// <summary>
/// The fuzzer's starting points: the repository's reference models (when trained), a fixed sample
/// of ONNX's own small Gemm, Conv, MatMul and Linear test models (node tests also with their weight
/// inputs frozen into initializers, so discovery finds layers in them), and a few built here for
/// what the corpus lacks (stacked layers, float16, a Gemm inside an If branch).
/// </summary>
internal static class FuzzSeeds
{
    private const string TestData = "/usr/share/libonnx-testdata/data";

    private static readonly string[] NodeCases =
    [
        "test_gemm_all_attributes", "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_matrix_bias", "test_gemm_default_no_bias",
        "test_gemm_default_scalar_bias", "test_gemm_default_single_elem_vector_bias", "test_gemm_default_vector_bias",
        "test_gemm_default_zero_bias", "test_gemm_transposeA", "test_gemm_transposeB", "test_conv_with_autopad_same",
        "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding", "test_conv_with_strides_padding", "test_matmul_2d",
    ];

    private static readonly string[] PytorchCases =
    [
        "test_Conv2d", "test_Conv2d_depthwise", "test_Conv2d_depthwise_with_multiplier", "test_Conv2d_dilated", "test_Conv2d_groups",
        "test_Conv2d_no_bias", "test_Conv2d_padding", "test_Conv2d_strided", "test_Linear", "test_Linear_no_bias",
    ];

    public static IReadOnlyList<FuzzSeed> Load()
    {
        if (!Directory.Exists(Path.Combine(TestData, "node")))
            Assert.Fail($"ONNX test data not found under {TestData}: install the Debian package libonnx-testdata (CI does).");
        var seeds = new List<FuzzSeed>();
        foreach (var name in NodeCases)
        {
            var folder = Path.Combine(TestData, "node", name);
            var bytes = File.ReadAllBytes(Path.Combine(folder, "model.onnx"));
            seeds.Add(new FuzzSeed($"node/{name}", bytes));
            seeds.Add(new FuzzSeed($"node/{name} (frozen)", Frozen(bytes, folder)));
        }
        foreach (var name in PytorchCases)
            seeds.Add(new FuzzSeed($"pytorch-converted/{name}", File.ReadAllBytes(Path.Combine(TestData, "pytorch-converted", name, "model.onnx"))));
        seeds.Add(new FuzzSeed("built/mlp", OnnxModelFile.ToBytes(Mlp(DataType.Float))));
        seeds.Add(new FuzzSeed("built/mlp-float16", OnnxModelFile.ToBytes(Mlp(DataType.Float16))));
        seeds.Add(new FuzzSeed("built/convnet", OnnxModelFile.ToBytes(ConvNet())));
        seeds.Add(new FuzzSeed("built/gemm-in-if", OnnxModelFile.ToBytes(GemmInIf())));
        foreach (var path in ReferenceModels())
            seeds.Add(new FuzzSeed($"models/{Path.GetFileName(path)}", File.ReadAllBytes(path)));
        return seeds;
    }

    /// <summary>The test's inputs after the first (weights, bias) become initializers, taken from its first data set.</summary>
    private static byte[] Frozen(byte[] bytes, string folder)
    {
        var model = ModelProto.Parser.ParseFrom(bytes);
        var dataSet = Path.Combine(folder, "test_data_set_0");
        for (var i = model.Graph.Input.Count - 1; i >= 1; i--)
        {
            var tensor = Tensors.Read(Path.Combine(dataSet, $"input_{i}.pb"));
            tensor.Name = model.Graph.Input[i].Name;
            model.Graph.Initializer.Add(tensor);
            model.Graph.Input.RemoveAt(i);
        }
        return model.ToByteArray();
    }

    private static ModelProto Mlp(DataType type)
    {
        var b = new ModelBuilder(elementType: type);
        b.Node("Gemm", "fc1", [b.Input("X", 2, 24), b.Initializer("W1", [32, 24], RandomValues.Normal(11, 768)), b.Initializer("B1", [32], RandomValues.Normal(12, 32))], "h1",
            ModelBuilder.Int("transB", 1));
        b.Node("Relu", "relu", ["h1"], "r1");
        b.Node("MatMul", "fc2", ["r1", b.Initializer("W2", [32, 16], RandomValues.Normal(13, 512))], b.Output("Y"));
        return b.Build();
    }

    private static ModelProto ConvNet()
    {
        var b = new ModelBuilder();
        b.Node("Conv", "conv1", [b.Input("X", 1, 4, 8, 8), b.Initializer("K1", [8, 4, 3, 3], RandomValues.Normal(21, 288))], "c1", ModelBuilder.Ints("pads", 1, 1, 1, 1));
        b.Node("Conv", "conv2", ["c1", b.Initializer("K2", [8, 4, 3, 3], RandomValues.Normal(22, 288))], "c2",
            ModelBuilder.Int("group", 2), ModelBuilder.Ints("strides", 2, 2));
        b.Node("Flatten", "flat", ["c2"], "f");
        b.Node("Gemm", "head", ["f", b.Initializer("W", [10, 72], RandomValues.Normal(23, 720))], b.Output("Y"), ModelBuilder.Int("transB", 1));
        return b.Build();
    }

    /// <summary>An If whose branches each hold a Gemm on an outer-scope weight.</summary>
    private static ModelProto GemmInIf()
    {
        var b = new ModelBuilder();
        var x = b.Input("X", 1, 16);
        b.Initializer("W", [16, 16], RandomValues.Normal(31, 256));
        var condition = new TensorProto { Name = "cond", DataType = (int)DataType.Bool };
        condition.Int32Data.Add(1);
        b.Graph.Initializer.Add(condition);
        var branches = new[] { "then", "else" }.Select(name =>
        {
            var branch = new ModelBuilder();
            branch.Node("Gemm", $"{name}_gemm", [x, "W"], branch.Output($"{name}_y"), ModelBuilder.Int("transB", name == "then" ? 1 : 0));
            return new AttributeProto { Name = $"{name}_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch.Graph };
        }).ToArray();
        b.Node("If", "choose", ["cond"], b.Output("Y"), branches);
        return b.Build();
    }

    private static IEnumerable<string> ReferenceModels([CallerFilePath] string sourceFile = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OnnxLowRank.sln")))
                return Directory.EnumerateFiles(Path.Combine(dir.FullName, "models"), "*.onnx").Order(StringComparer.Ordinal);
        }
        return [];
    }
}
