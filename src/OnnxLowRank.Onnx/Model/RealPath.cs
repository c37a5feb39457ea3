namespace OnnxLowRank.Onnx;

/// <summary>Paths with every symbolic link resolved, to tell whether two names reach the same file.</summary>
public static class RealPath
{
    /// <summary>The full path of <paramref name="path"/> with each symbolic link on it replaced by its final target.</summary>
    /// <exception cref="IOException">The links nest too deeply (a loop).</exception>
    public static string Of(string path) => ContainedPath.RealFolder(path);

    /// <summary>Whether both paths reach the same file once links are resolved (case-insensitively where the platform is).</summary>
    public static bool Same(string first, string second) =>
        string.Equals(Of(first), Of(second), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
