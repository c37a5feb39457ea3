using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Resolves an external-data location against the model's folder and refuses any location that
/// could reach a file outside it: absolute paths, "..", and symbolic links (on any path component)
/// whose target lies elsewhere.
/// </summary>
internal static class ContainedPath
{
    private const int MaxLinkDepth = 40;

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The real (link-free) path of <paramref name="location"/> inside <paramref name="realFolder"/>.</summary>
    /// <param name="realFolder">The model's folder, already passed through <see cref="RealFolder"/>.</param>
    public static string Resolve(string realFolder, string location, string? modelPath, string subject)
    {
        const string advice = "external data must be a relative path to a file in the model's own folder";
        if (location.Length == 0)
        {
            throw new InvalidModelException("external data has no 'location'", modelPath, subject, advice);
        }
        if (IsAbsolute(location))
        {
            throw new InvalidModelException($"external data location '{location}' is an absolute path", modelPath, subject, advice);
        }
        var segments = location.Split('/', '\\');
        if (segments.Contains(".."))
        {
            throw new InvalidModelException($"external data location '{location}' contains '..'", modelPath, subject, advice);
        }

        // Locations written on Windows use '\'; treat both separators alike on every platform.
        var relative = string.Join(Path.DirectorySeparatorChar, segments.Where(s => s.Length > 0 && s != "."));
        if (relative.Length == 0)
        {
            throw new InvalidModelException($"external data location '{location}' names no file", modelPath, subject, advice);
        }
        string real;
        try
        {
            real = RealPath(Path.GetFullPath(Path.Combine(realFolder, relative)), 0);
        }
        catch (IOException e)
        {
            throw new InvalidModelException($"external data location '{location}' cannot be resolved: {e.Message}", modelPath, subject, advice, e);
        }
        var folderPrefix = Path.EndsInDirectorySeparator(realFolder) ? realFolder : realFolder + Path.DirectorySeparatorChar;
        if (!real.StartsWith(folderPrefix, PathComparison))
        {
            throw new InvalidModelException(
                $"external data location '{location}' resolves to '{real}', outside the model's folder", modelPath, subject, advice);
        }
        return real;
    }

    /// <summary>The model folder with every symbolic link resolved, the reference for containment.</summary>
    public static string RealFolder(string folder) => RealPath(Path.GetFullPath(folder), 0);

    private static bool IsAbsolute(string location) =>
        Path.IsPathRooted(location)
        || location[0] is '/' or '\\'
        || (location.Length >= 2 && location[1] == ':' && char.IsAsciiLetter(location[0]));

    /// <summary>Walks the path one component at a time, replacing each symbolic link by its final target.</summary>
    private static string RealPath(string fullPath, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw new IOException($"more than {MaxLinkDepth} nested symbolic links");
        }
        var root = Path.GetPathRoot(fullPath) ?? string.Empty;
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(current, part);
            var info = new FileInfo(candidate);
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                candidate = target is null ? candidate : RealPath(target.FullName, depth + 1);
            }
            current = candidate;
        }
        return current;
    }
}
