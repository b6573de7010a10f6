using System.Reflection;
using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Model;
using SeqDsl.Generator.Tests.Infrastructure;
using TorchSharp;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// Names from a spec become C# names. The generator's list of names it reserves must cover every member the
/// generated class declares or inherits, or a layer could be named so that the class does not compile.
/// </summary>
public class GeneratedNamesTests
{
    [Fact]
    public void The_reserved_names_cover_every_public_and_protected_member_of_TorchSharps_module()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        for (var type = typeof(torch.nn.Module<torch.Tensor, torch.Tensor>); type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers(all))
            {
                bool visible = member switch
                {
                    MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !m.IsConstructor && !IsAccessor(m),
                    FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
                    PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
                    EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily || add.IsFamilyOrAssembly),
                    Type t => t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem,
                    _ => false,
                };
                if (visible) names.Add(member.Name);
            }
        }

        var missing = names.Except(GeneratedNames.InheritedMembers, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "GeneratedNames.InheritedMembers lacks: " + string.Join(", ", missing.Select(n => $"\"{n}\"")));

        static bool IsAccessor(MethodBase method)
            => method.IsSpecialName && (method.Name.StartsWith("get_", StringComparison.Ordinal) || method.Name.StartsWith("set_", StringComparison.Ordinal)
                                        || method.Name.StartsWith("add_", StringComparison.Ordinal) || method.Name.StartsWith("remove_", StringComparison.Ordinal));
    }

    [Fact]
    public void The_reserved_names_cover_every_member_a_generated_class_declares()
    {
        var specs = Repo.ExampleSpecs().Select(s => (Path.GetFileName(s.Path), File.ReadAllText(s.Path))).ToArray();
        var result = GeneratorHarness.Run("Examples", specs);
        Assert.Empty(result.Seq);

        var declared = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tree in result.Output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) && !t.FilePath.Contains("SeqDslExperiments")))
        {
            var model = result.Output.GetSemanticModel(tree);
            foreach (var type in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().Select(c => (INamedTypeSymbol)model.GetDeclaredSymbol(c)!))
            {
                foreach (var member in type.GetMembers().Where(m => !m.IsImplicitlyDeclared && m is not IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor or MethodKind.PropertyGet or MethodKind.PropertySet }))
                {
                    bool layer = member switch
                    {
                        IFieldSymbol f => IsLayerType(f.Type),
                        IPropertySymbol p => IsLayerType(p.Type),
                        _ => false,
                    };
                    // An explicit interface implementation (the runtime contract's members) has no name a layer could clash with.
                    if (!layer && member.CanBeReferencedByName) declared.Add(member.Name);
                }
            }
        }

        Assert.NotEmpty(declared);
        var missing = declared.Except(GeneratedNames.GeneratedMembers, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "GeneratedNames.GeneratedMembers lacks: " + string.Join(", ", missing));

        static bool IsLayerType(ITypeSymbol type) => type.ContainingNamespace?.ToDisplayString() == "SeqDsl.Runtime.Layers";
    }

    private const string Head = "model: Tiny\ninput: { features: 3, time: 10 }\nlayers:\n";

    [Theory]
    [InlineData("forward")]
    [InlineData("training")]
    [InlineData("state_dict")]
    [InlineData("experiment")]
    [InlineData("Summary")]
    [InlineData("summary")]
    [InlineData("layers")]
    [InlineData("get_Layers")]
    [InlineData("TinyModel")]
    [InlineData("_1")]
    [InlineData("class")]
    public void A_layer_name_the_class_already_uses_is_SEQ2008_at_the_name(string name)
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Head + $"  - dense: {{ units: 4, name: {name} }}\n  - dense: {{ units: 1 }}\n"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2008", diagnostic.Id);
        Assert.Equal(3, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains($"'{name}'", diagnostic.GetMessage());
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("Head", "head")]
    [InlineData("gru_1", "Gru1")]
    [InlineData("head_a", "headA")]
    public void Two_layer_names_that_give_the_same_member_are_SEQ2009(string first, string second)
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Head.Replace("Tiny", "Other") + $"  - dense: {{ units: 4, name: {first} }}\n  - dense: {{ units: 1, name: {second} }}\n"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2009", diagnostic.Id);
        Assert.Equal(4, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains($"'{second}'", diagnostic.GetMessage());
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("a.class.b")]
    [InlineData("int")]
    [InlineData("a..b")]
    [InlineData("a.SeqDslExperiments")]
    public void A_namespace_with_a_keyword_or_an_empty_part_is_SEQ2008(string ns)
    {
        var result = GeneratorHarness.Run(("tiny.yaml", $"model: Tiny\nnamespace: {ns}\ninput: {{ features: 3 }}\nlayers: [ {{ dense: {{ units: 1 }} }} ]\n"));

        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2008", diagnostic.Id);
        Assert.Equal((1, 11), (diagnostic.Location.GetLineSpan().StartLinePosition.Line, diagnostic.Location.GetLineSpan().StartLinePosition.Character));
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_model_name_whose_class_name_is_no_identifier_is_SEQ2008()
    {
        var result = GeneratorHarness.Run(("tiny.yaml", "model: _1\ninput: { features: 3 }\nlayers: [ { dense: { units: 1 } } ]\n"));

        Assert.Equal("SEQ2008", Assert.Single(result.Seq).Id);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Theory]
    [InlineData("input")]
    [InlineData("x")]
    public void Layers_named_like_the_generated_methods_locals_compile(string name)
    {
        var result = GeneratorHarness.Run(("tiny.yaml", Head + $"  - dense: {{ units: 4, name: {name} }}\n  - dense: {{ units: 1 }}\n"));

        Assert.Empty(result.Seq);
        var problems = result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
