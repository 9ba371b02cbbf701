"""scikit-learn transformers over calls: conversation metrics, keywords, sentiment, speaker text.

:func:`~analytics.text.tables.call_table` gives one row per call (``run.calls``) plus a
``transcript`` column holding the call's turns column-wise (an Arrow list of structs, see
:data:`~analytics.text.tables.TRANSCRIPT_TYPE`); that table is the ``X`` of every transformer
here, so a model sees one sample per call and can also use the call's metadata columns. The
transformers read the transcripts as Arrow arrays, without building a Python object per turn;
an object column of lists of turn dicts (a table built by hand) is converted to that type first.

- :class:`ConversationFeatures` -> :func:`analytics.text.conversation.conversation_features`,
  numeric (``first_speaker`` becomes the 0/1 column ``first_speaker_agent``);
- :class:`KeywordCounts` -> :func:`analytics.text.keywords.keyword_features`;
- :class:`SentimentFeatures` -> :func:`analytics.text.sentiment.sentiment_features`;
- :class:`SpeakerText` -> one text per call for ``TfidfVectorizer``.

The numeric transformers return ``float64`` arrays with NaN where a metric is NA (put a
``SimpleImputer`` after them) and support ``set_output(transform="pandas")``.

Examples
--------
>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.impute import SimpleImputer
>>> from sklearn.pipeline import make_pipeline, make_union
>>> from sklearn.preprocessing import StandardScaler
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> from analytics.text.tables import call_table
>>> table = call_table(load_run(make_run(120, random_state=0)))
>>> table = table[table["outcome"].notna()]
>>> model = make_pipeline(make_union(ConversationFeatures(), KeywordCounts()),
...                       SimpleImputer(), StandardScaler(), LogisticRegression())
>>> model.fit(table, table["outcome"].eq("Interested")).predict_proba(table).shape[1]
2
"""

from __future__ import annotations

import reprlib
from collections.abc import Hashable, Iterable
from contextlib import suppress
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn import get_config
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from analytics.schema import TEXT, TURNS_SCHEMA, conform, empty_frame
from analytics.text.conversation import CONVERSATION_SCHEMA, conversation_features
from analytics.text.keywords import keyword_features
from analytics.text.sentiment import SENTIMENT_SCHEMA, sentiment_features
from analytics.text.tables import TRANSCRIPT_TYPE

__all__ = [
    "CONVERSATION_FEATURE_NAMES",
    "SENTIMENT_FEATURE_NAMES",
    "ConversationFeatures",
    "KeywordCounts",
    "SentimentFeatures",
    "SpeakerText",
]

_CALL_COLUMNS = ("duration_s", "start_time", "end_time")
_ENCODED = {"first_speaker": "first_speaker_agent", "last_speaker": "last_speaker_agent"}
_PANDAS_TYPES = {
    f.type: pd.api.types.pandas_dtype(TURNS_SCHEMA[f.name]) for f in TRANSCRIPT_TYPE.value_type
}
"""Arrow type of each transcript field -> its pandas dtype in ``run.turns``."""
_CONVERSION_ERRORS = (pa.ArrowException, TypeError, ValueError, OverflowError)

CONVERSATION_FEATURE_NAMES: tuple[str, ...] = tuple(
    _ENCODED.get(c, c) for c in CONVERSATION_SCHEMA if c != "task_id"
)
"""Output columns of :class:`ConversationFeatures`, all numeric."""

SENTIMENT_FEATURE_NAMES: tuple[str, ...] = tuple(c for c in SENTIMENT_SCHEMA if c != "task_id")
"""Output columns of :class:`SentimentFeatures`, all numeric."""


def _check_table(X: Any) -> pd.DataFrame:
    """``X`` must be a call table: a DataFrame with a ``transcript`` column."""
    if not isinstance(X, pd.DataFrame) or "transcript" not in X.columns:
        got = list(X.columns) if isinstance(X, pd.DataFrame) else type(X).__name__
        raise ValueError(
            f"X must be a call table with a 'transcript' column, got {got!r}; "
            "build it with analytics.call_table(run)"
        )
    return X


def _transcript_lists(column: pd.Series) -> pa.ListArray:
    """``column`` as one Arrow array of :data:`TRANSCRIPT_TYPE`, in its row order.

    An Arrow column is read through ``__arrow_array__`` (cast if its type differs); any other
    column (lists of turn dicts) is converted. Raises ``ValueError`` naming the first value
    that is not a list of turns, or a missing transcript or turn.
    """
    lists = _converted(column)
    if lists is None or lists.null_count or lists.flatten().null_count:
        label, value, reason = _first_bad(column)
        raise ValueError(
            f"each transcript must be a list of turn records, found {reprlib.repr(value)} "
            f"at index {label!r} ({reason}); build X with analytics.call_table(run)"
        )
    return lists


def _converted(column: pd.Series) -> pa.ListArray | None:
    """``column`` as an Arrow array of :data:`TRANSCRIPT_TYPE`; None if it does not convert."""
    if isinstance(column.dtype, pd.ArrowDtype):
        with suppress(*_CONVERSION_ERRORS):
            return _one_array(pa.array(column)).cast(TRANSCRIPT_TYPE)
    try:
        return _one_array(pa.array(column.astype(object), type=TRANSCRIPT_TYPE))
    except _CONVERSION_ERRORS:
        return None


def _one_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one contiguous array (a pandas Arrow column may hold several chunks)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _first_bad(column: pd.Series) -> tuple[Hashable, object, str]:
    """The first value of ``column`` that is not a transcript, with its index and why.

    The error path only: it converts the values one by one to find the culprit.
    """
    for label, value in column.astype(object).items():
        reason = _why_not_a_transcript(value)
        if reason:
            return label, value, reason
    return None, column.dtype, f"a column of dtype {column.dtype}"


def _why_not_a_transcript(value: object) -> str:
    """Why ``value`` is not one transcript (a list of turn records), or ``""`` if it is."""
    try:
        lists = pa.array([value], type=TRANSCRIPT_TYPE, from_pandas=True)
    except _CONVERSION_ERRORS as error:
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    if lists.null_count:
        return "a missing transcript"
    return "a missing turn" if lists.flatten().null_count else ""


def _turns_of(X: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``X["transcript"]`` as a turns frame keyed by row position, and the matching calls frame.

    The keys are zero-padded row numbers, so sorting by ``task_id`` keeps the order of ``X``.
    """
    lists = _transcript_lists(X["transcript"])
    keys = pd.Series(np.arange(len(X))).astype(TEXT).str.zfill(len(str(len(X))))
    frame = pa.Table.from_struct_array(lists.flatten()).to_pandas(types_mapper=_PANDAS_TYPES.get)
    turns = frame.assign(task_id=keys.array.take(_parent_rows(lists)))
    present = [c for c in _CALL_COLUMNS if c in X.columns]
    calls = X[present].reset_index(drop=True).assign(task_id=keys)
    return conform(turns, TURNS_SCHEMA), calls


def _parent_rows(lists: pa.ListArray) -> np.ndarray:
    """For each value of ``lists.flatten()``, the position of its list (slices respected)."""
    lengths = lists.value_lengths().to_numpy(zero_copy_only=False)
    return np.repeat(np.arange(len(lists)), lengths)


class _CallTransformer(TransformerMixin, BaseEstimator):
    """Shared plumbing: ``fit`` checks the table and learns the output names."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> _CallTransformer:
        """Check ``X`` and the parameters; learn the output feature names."""
        validate_data(self, _check_table(X), skip_check_array=True, reset=True)
        self.feature_names_out_ = np.asarray(self._names(), dtype=object)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self)
        return self.feature_names_out_.copy()

    def _checked(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        validate_data(self, _check_table(X), skip_check_array=True, reset=False)
        return X


class ConversationFeatures(_CallTransformer):
    """Turn-taking and talk metrics per call (:func:`~analytics.conversation_features`).

    Parameters
    ----------
    features : list of str, optional
        Columns to output, from :data:`CONVERSATION_FEATURE_NAMES`; all by default.
    backchannel_max_words : int, default 2
        A run of at most this many words by the other side does not break a monologue.
    speech_rate_wpm : float, default 150
        Assumed speaking rate behind ``silence_share``.

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        The output columns. ``first_speaker_agent`` / ``last_speaker_agent`` are 1.0 for the
        agent, 0.0 for the user, NaN for a call without agent/user turns.
    n_features_in_, feature_names_in_
        Set by ``fit`` from the call table, as scikit-learn does.

    Notes
    -----
    ``X`` is :func:`~analytics.text.tables.call_table` output (or a subset of its rows, or of
    its columns with ``transcript``; a ``transcript`` of lists of turn dicts also works); its
    ``duration_s``, ``start_time`` and ``end_time`` are used when present. The output is
    ``float64`` with NaN for NA metrics. scikit-learn's generic estimator checks feed numeric
    arrays, which are not call tables; ``tests/test_features.py`` lists those checks with the
    reason.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> from analytics.text.tables import call_table
    >>> table = call_table(load_run(make_run(30, random_state=0)))
    >>> out = ConversationFeatures(features=["switches", "first_speaker_agent"]).set_output(
    ...     transform="pandas").fit_transform(table)
    >>> list(out.columns), out.shape[0] == len(table)
    (['switches', 'first_speaker_agent'], True)
    """

    def __init__(
        self,
        features: list[str] | None = None,
        backchannel_max_words: int = 2,
        speech_rate_wpm: float = 150.0,
    ):
        self.features = features
        self.backchannel_max_words = backchannel_max_words
        self.speech_rate_wpm = speech_rate_wpm

    def _names(self) -> list[str]:
        names = _chosen_features(self.features, CONVERSATION_FEATURE_NAMES)
        self._compute(empty_frame(TURNS_SCHEMA), None, names)  # checks the other options
        return names

    def _compute(
        self, turns: pd.DataFrame, calls: pd.DataFrame | None, names: list[str]
    ) -> pd.DataFrame:
        decoded = {v: k for k, v in _ENCODED.items()}
        return conversation_features(
            turns,
            calls=calls,
            features=[decoded.get(n, n) for n in names],
            backchannel_max_words=self.backchannel_max_words,
            speech_rate_wpm=self.speech_rate_wpm,
        )

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Metrics of each call of ``X``, float64 with NaN for NA, in the row order of ``X``."""
        turns, calls = _turns_of(self._checked(X))
        names = list(self.feature_names_out_)
        out = self._compute(turns, calls, names)
        for column, encoded in _ENCODED.items():
            if column in out:
                out[encoded] = out[column].map({"agent": 1.0, "user": 0.0}).astype("Float64")
        return out[names].to_numpy(dtype="float64", na_value=np.nan)


def _chosen_features(features: object, known: tuple[str, ...]) -> list[str]:
    """A transformer's ``features`` checked against ``known``; all of ``known`` for None."""
    if features is None:
        return list(known)
    names = None
    if isinstance(features, Iterable) and not isinstance(features, str):
        names = list(features)
    if names is None or not all(isinstance(f, str) for f in names):
        raise ValueError(f"features={features!r} must be a list of feature names")
    unknown = [f for f in names if f not in known]
    if unknown:
        raise ValueError(f"unknown features {unknown!r}; choose from {list(known)}")
    return names


class KeywordCounts(_CallTransformer):
    """Lexicon match counts per call and side (:func:`~analytics.keyword_features`).

    Parameters
    ----------
    lexicons : dict of str to list of str, optional
        ``{name: [term, ...]}``; ``keywords.BUILTIN_LEXICONS`` by default.
    by_speaker : bool, default True
        Separate agent and user counts, or one count per lexicon.
    first_turn : bool, default True
        Also output ``kw_<name>_first_turn`` (turn index of the first match, NaN when none).

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        The output columns, lexicon by lexicon.
    n_features_in_, feature_names_in_
        Set by ``fit`` from the call table.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> from analytics.text.tables import call_table
    >>> table = call_table(load_run(make_run(30, random_state=0)))
    >>> counts = KeywordCounts(lexicons={"price": ["price", "cost"]}, first_turn=False)
    >>> counts.fit(table).get_feature_names_out().tolist()
    ['kw_price_agent', 'kw_price_user']
    """

    def __init__(
        self,
        lexicons: dict[str, list[str]] | None = None,
        by_speaker: bool = True,
        first_turn: bool = True,
    ):
        self.lexicons = lexicons
        self.by_speaker = by_speaker
        self.first_turn = first_turn

    def _names(self) -> list[str]:
        empty = keyword_features(
            empty_frame(TURNS_SCHEMA), self.lexicons, by_speaker=self.by_speaker
        )
        names = [c for c in empty.columns if c != "task_id"]
        return names if self.first_turn else [c for c in names if not c.endswith("_first_turn")]

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Counts for each call of ``X``, float64 (NaN for no first match), in ``X``'s order."""
        turns, calls = _turns_of(self._checked(X))
        out = keyword_features(turns, self.lexicons, by_speaker=self.by_speaker, calls=calls)
        return out[list(self.feature_names_out_)].to_numpy(dtype="float64", na_value=np.nan)


class SentimentFeatures(_CallTransformer):
    """VADER sentiment of the caller's opening and closing turns and of the agent, per call.

    The columns of :func:`~analytics.text.sentiment.sentiment_features`
    (:data:`SENTIMENT_FEATURE_NAMES`): ``caller_sentiment_start``, ``caller_sentiment_end``,
    ``caller_sentiment_change``, ``agent_sentiment_mean`` (compound scores in [-1, 1]) and
    ``caller_turns_scored``, ``agent_turns_scored``.

    Parameters
    ----------
    window : int, default 2
        How many of the caller's first (and last) scored turns make the opening (and closing)
        window.
    features : list of str, optional
        Columns to output, from :data:`SENTIMENT_FEATURE_NAMES`; all by default (pass the four
        ``*_sentiment_*`` names to leave out the turn counts, which say how long a call was).

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        The output columns.
    n_features_in_, feature_names_in_
        Set by ``fit`` from the call table.

    Notes
    -----
    The output is ``float64`` with NaN where a score is NA (a call without scored caller or
    agent turns). VADER scores English words only: no other language, no tone of voice.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> from analytics.text.tables import call_table
    >>> table = call_table(load_run(make_run(30, random_state=0)))
    >>> out = SentimentFeatures(window=1).set_output(transform="pandas").fit_transform(table)
    >>> list(out.columns[:2]), out.shape[0] == len(table)
    (['caller_sentiment_start', 'caller_sentiment_end'], True)
    """

    def __init__(self, window: int = 2, features: list[str] | None = None):
        self.window = window
        self.features = features

    def _names(self) -> list[str]:
        names = _chosen_features(self.features, SENTIMENT_FEATURE_NAMES)
        sentiment_features(empty_frame(TURNS_SCHEMA), window=self.window)  # checks ``window``
        return names

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Scores of each call of ``X``, float64 with NaN for NA, in the row order of ``X``."""
        turns, calls = _turns_of(self._checked(X))
        out = sentiment_features(turns, calls=calls, window=self.window)
        return out[list(self.feature_names_out_)].to_numpy(dtype="float64", na_value=np.nan)


_SPEAKER_CHOICES = {"user": ("user",), "agent": ("agent",), "all": ("agent", "user")}


# auto_wrap_output_keys=None: scikit-learn must not wrap the 1-d output (see Notes). mypy sees
# sklearn as untyped, hence object.__init_subclass__, which takes no keywords.
class SpeakerText(  # type: ignore[call-arg]
    TransformerMixin, BaseEstimator, auto_wrap_output_keys=None
):
    """One text per call: what one side (or both) said, turns joined by spaces.

    Parameters
    ----------
    speaker : {"user", "agent", "all"}, default "user"
        Whose turns to keep; ``"all"`` keeps agent and user turns (not ``other``).

    Attributes
    ----------
    n_features_in_, feature_names_in_
        Set by ``fit`` from the call table.

    Notes
    -----
    ``transform`` returns a 1-d array of strings (``""`` for a call where that side said
    nothing), in ``turn`` order within a call: the input ``TfidfVectorizer`` and
    ``CountVectorizer`` expect, so it goes right before one in a pipeline. With
    ``set_output(transform="pandas")``, or ``sklearn.set_config(transform_output="pandas")``
    and no ``set_output`` call, it returns a Series named ``<speaker>_text`` on the index of
    ``X``.

    scikit-learn's own ``set_output`` machinery wraps a transformer's output in a DataFrame
    with the ``get_feature_names_out`` columns, which for this output would be a one-column
    frame, not a list of texts (a vectorizer iterating it would see one document, the column
    name). So ``SpeakerText`` opts out of that wrapping and implements ``set_output`` itself:
    the choice is kept in the estimator's own ``_transform_output`` attribute (``clone``
    keeps it too, through ``__sklearn_clone__``), and the global setting is read with
    ``sklearn.get_config()``.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.pipeline import make_pipeline
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> from analytics.text.tables import call_table
    >>> table = call_table(load_run(make_run(30, random_state=0)))
    >>> tfidf = make_pipeline(SpeakerText("user"), TfidfVectorizer()).fit_transform(table)
    >>> tfidf.shape[0] == len(table)
    True
    >>> SpeakerText("agent").set_output(transform="pandas").fit_transform(table).name
    'agent_text'
    """

    _transform_output: str | None = None
    """What ``set_output(transform=...)`` chose; None defers to ``sklearn.get_config()``."""

    def __init__(self, speaker: str = "user"):
        self.speaker = speaker

    def fit(self, X: pd.DataFrame, y: Any = None) -> SpeakerText:
        """Check ``X`` and ``speaker``."""
        if self.speaker not in _SPEAKER_CHOICES:
            raise ValueError(f"speaker={self.speaker!r}; choose one of {list(_SPEAKER_CHOICES)}")
        validate_data(self, _check_table(X), skip_check_array=True, reset=True)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray | pd.Series:
        """The joined text of each call of ``X``, in its row order."""
        check_is_fitted(self)
        validate_data(self, _check_table(X), skip_check_array=True, reset=False)
        lists = _transcript_lists(X["transcript"])
        joined = _joined_text(lists, _SPEAKER_CHOICES[self.speaker])
        texts: np.ndarray = joined.to_numpy(zero_copy_only=False).astype(object)
        if self._output() == "pandas":
            return pd.Series(texts, index=X.index, name=f"{self.speaker}_text", dtype=TEXT)
        return texts

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The single output name, ``<speaker>_text``."""
        check_is_fitted(self)
        return np.asarray([f"{self.speaker}_text"], dtype=object)

    def set_output(self, *, transform: str | None = None) -> SpeakerText:
        """Return a Series (``"pandas"``) or a 1-d array (``"default"``) from ``transform``.

        ``None`` leaves the choice unchanged; until one is made, ``transform`` follows
        ``sklearn.get_config()["transform_output"]``.
        """
        if transform is not None:
            self._transform_output = transform
        return self

    def __sklearn_clone__(self) -> SpeakerText:
        """A clone with the same parameters and the same ``set_output`` choice."""
        new: SpeakerText = super().__sklearn_clone__()
        if self._transform_output is not None:
            new._transform_output = self._transform_output
        return new

    def _output(self) -> str:
        output = self._transform_output or get_config()["transform_output"]
        if output not in ("default", "pandas"):
            raise ValueError(f"SpeakerText output {output!r} is not supported; use 'pandas'")
        return str(output)


def _joined_text(lists: pa.ListArray, speakers: tuple[str, ...]) -> pa.Array:
    """Per list of turns, the non-null ``text`` of the ``speakers``' turns in ``turn`` order."""
    turns = lists.flatten()
    said = pc.is_in(turns.field("speaker"), value_set=pa.array(speakers, pa.string()))
    keep = pc.and_(pc.fill_null(said, False), pc.is_valid(turns.field("text")))
    row = _parent_rows(lists)[keep.to_numpy(zero_copy_only=False)]
    turn = pc.fill_null(turns.field("turn").filter(keep).cast(pa.float64()), np.inf)
    order = pa.array(np.lexsort((turn.to_numpy(), row)), pa.int64())
    offsets = np.r_[0, np.cumsum(np.bincount(row, minlength=len(lists)))]
    texts = turns.field("text").filter(keep).take(order)
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), texts), " ")
