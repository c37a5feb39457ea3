namespace OnnxLowRank.Onnx.Tests;

/// <summary>ONNX's own backend test vectors, as installed by the Debian package libonnx-testdata.</summary>
internal static class OnnxTestData
{
    public const string Root = "/usr/share/libonnx-testdata/data";

    public static readonly string[] Suites = ["node", "pytorch-converted", "pytorch-operator", "simple", "real"];

    /// <summary>The data folder; fails the test (never skips) when the package is not installed.</summary>
    public static string RequireRoot()
    {
        if (!Directory.Exists(Path.Combine(Root, "node")))
        {
            Assert.Fail($"ONNX test data not found under {Root}: install the Debian package libonnx-testdata (CI does).");
        }
        return Root;
    }

    /// <summary>Every case folder of a suite; empty when the suite folder is absent (real/ may hold only download links).</summary>
    public static IEnumerable<string> CaseFolders(string suite)
    {
        var folder = Path.Combine(RequireRoot(), suite);
        return Directory.Exists(folder) ? Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal) : [];
    }

    public static string CaseFolder(string suite, string name)
    {
        var folder = Path.Combine(RequireRoot(), suite, name);
        if (!Directory.Exists(folder)) Assert.Fail($"ONNX test case {suite}/{name} missing from {Root}.");
        return folder;
    }
}
