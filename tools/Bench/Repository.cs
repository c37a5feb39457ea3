namespace OnnxLowRank.Bench;

/// <summary>Paths inside the repository the bench runs in, found from the working directory or the program's own folder.</summary>
internal sealed class Repository
{
    private Repository(string root) => Root = root;

    public string Root { get; }

    public string ModelsCache => Path.Combine(Root, "models", "cache");

    public string Docs => Path.Combine(Root, "docs");

    public static Repository Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "OnnxLowRank.sln"))) return new Repository(folder.FullName);
            }
        }
        throw new InvalidOperationException("OnnxLowRank.sln was not found above the working directory; run the bench from inside the repository.");
    }

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The path relative to the root, with forward slashes, as the docs show it.</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>A file's size in bytes; the models in models/cache/ may be symbolic links, so the target is measured.</summary>
    public static long SizeOf(string path)
    {
        var info = new FileInfo(path);
        return info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? target.Length : info.Length;
    }
}
