namespace OnnxLowRank.Cli.Tests;

/// <summary>Base of the CLI tests that write files: each test gets a fresh folder, removed after it.</summary>
public abstract class ScratchFolderTest
{
    protected string Folder { get; private set; } = "";

    [SetUp]
    public void CreateFolder() => Folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cli-{Guid.NewGuid():N}")).FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(Folder, recursive: true);
}
