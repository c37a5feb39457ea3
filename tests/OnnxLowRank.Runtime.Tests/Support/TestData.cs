namespace OnnxLowRank.Runtime.Tests.Support;

/// <summary>ONNX's own backend test vectors (Debian package libonnx-testdata).</summary>
internal static class TestData
{
    public const string Root = "/usr/share/libonnx-testdata/data";

    /// <summary>The folder of one case, e.g. ("node", "test_gemm_default_matrix_bias"); fails the test when absent.</summary>
    public static string Case(string suite, string name)
    {
        var path = Path.Combine(Root, suite, name);
        if (!File.Exists(Path.Combine(path, "model.onnx")))
            Assert.Fail($"{path}/model.onnx is missing: install the Debian package libonnx-testdata.");
        return path;
    }

    public static string Model(string suite, string name) => Path.Combine(Case(suite, name), "model.onnx");

    /// <summary>input_*.pb or output_*.pb of one data set, in numeric order.</summary>
    public static string[] Files(string dataSet, string prefix) => Directory.GetFiles(dataSet, prefix + "_*.pb")
        .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[(prefix.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
        .ToArray();
}
