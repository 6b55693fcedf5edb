import pytest

from interviewer.interview.classify import MessageKind, classify, is_echo, is_gibberish

Q = "Compare L1 and L2 regularisation. When would you reach for each?"
VOCAB = frozenset("regularisation weights sparse model penalty features".split())


@pytest.mark.parametrize(
    ("message", "behavioral", "expected"),
    [
        ("", False, MessageKind.EMPTY),
        ("   \n ", False, MessageKind.EMPTY),
        ("...", False, MessageKind.EMPTY),
        ("/hint", False, MessageKind.HINT_REQUEST),
        ("/skip", False, MessageKind.SKIP),
        ("/end", False, MessageKind.END),
        ("Can I get a hint?", False, MessageKind.HINT_REQUEST),
        ("I'm stuck", False, MessageKind.HINT_REQUEST),
        ("skip", False, MessageKind.SKIP),
        ("Can we move on to the next one?", False, MessageKind.SKIP),
        ("I'd like to end the interview now", False, MessageKind.END),
        ("asdkjh qwpoeiru zxmcnvb lkjhgf", False, MessageKind.GIBBERISH),
        ("Compare L1 and L2 regularisation. When would you reach for each?", False, MessageKind.ECHO),
        ("compare l1 and l2 regularisation", False, MessageKind.ECHO),
        ("I don't know", False, MessageKind.DONT_KNOW),
        ("Honestly, no idea.", False, MessageKind.DONT_KNOW),
        ("I can't think of an example", True, MessageKind.NO_EXAMPLE),
        ("I've never been in that situation, sorry", True, MessageKind.NO_EXAMPLE),
        ("I don't know, I can't recall a time like that", True, MessageKind.NO_EXAMPLE),
        ("I don't have one, sorry.", True, MessageKind.NO_EXAMPLE),
        ("Honestly none that I can think of.", True, MessageKind.NO_EXAMPLE),
        ("I haven't really had anything like that happen.", True, MessageKind.NO_EXAMPLE),
        ("Honestly, I don't have a good example of that, beyond the forecast metric bug I described earlier, which I "
         "found myself rather than others explaining it away. I cannot think of another case right now where the team "
         "had settled on an explanation and I overturned it.", True, MessageKind.NO_EXAMPLE),
        ("I don't have a good example of that exact situation, but in 2022 I led a migration of 40 pipelines and cut "
         "costs by 30 percent, which meant convincing the team.", True, MessageKind.ANSWER),
        ("Can I assume the features are standardised?", False, MessageKind.CLARIFYING_QUESTION),
        ("How big is the dataset?", False, MessageKind.CLARIFYING_QUESTION),
        ("L1 adds the absolute weights to the loss so many weights become exactly zero, while L2 only shrinks them.", False, MessageKind.ANSWER),
        ("I'm not sure, but I think L1 gives sparse weights because the penalty has a corner at zero and L2 does not.", False, MessageKind.ANSWER),
    ],
)
def test_classify_literal_examples(message, behavioral, expected):
    assert classify(message, Q, behavioral, VOCAB) is expected


def test_off_topic_needs_low_relevance_and_enough_words():
    text = "My favourite food is pizza and I went hiking last weekend with friends"
    assert classify(text, Q, False, VOCAB, relevance=0.05) is MessageKind.OFF_TOPIC
    assert classify(text, Q, False, VOCAB, relevance=0.6) is MessageKind.ANSWER
    assert classify("pizza", Q, False, VOCAB, relevance=0.05) is MessageKind.ANSWER


def test_echo_and_gibberish_helpers():
    assert is_echo("When would you reach for each?", Q)
    assert not is_echo("L2 for correlated features, L1 for selection", Q)
    assert is_gibberish("xkcdq zzzvvv pppqqq", VOCAB)
    assert not is_gibberish("the penalty makes weights sparse", VOCAB)
    assert is_gibberish("12345 !!!", VOCAB)
