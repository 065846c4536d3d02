"""pySHACL, the reference validator: it runs the shapes that are not compiled
(`coopgraph.validation.compiled`) and, when asked, all of them, to hold the compiled checks
to the same results."""

from __future__ import annotations

from rdflib import Graph

from coopgraph.errors import ValidationCouldNotRun


def run_pyshacl(data_graph: Graph, shapes_graph: Graph) -> Graph:
    import pyshacl  # noqa: PLC0415 - slow to import, and only some runs need it
    from pyshacl.errors import ReportableRuntimeError  # noqa: PLC0415

    try:
        _conforms, report, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    except ReportableRuntimeError as error:
        raise ValidationCouldNotRun(
            f"SHACL validation could not run: {error}", "fix the shapes named in the message"
        ) from error
    except (NotImplementedError, ValueError, TypeError, LookupError, AttributeError) as error:
        # pySHACL's own limits and failures on shapes it does not expect: one line, no traceback.
        raise ValidationCouldNotRun(
            f"pySHACL could not run the shapes: {type(error).__name__}: {error}",
            "change the shapes that use what the message names",
        ) from error
    if not isinstance(report, Graph):  # pyshacl returns its ValidationFailure in its place
        raise ValidationCouldNotRun(f"SHACL validation failed: {report}", "fix the shapes")
    return report
