#include "core/reconcile/idsfilereader.h"

#include <QStringDecoder>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Reconcile
{
    namespace
    {
        // At most this much of a bad line is quoted in an error.
        constexpr qsizetype QuotedBytes = 80;

        QString quoted(const QByteArray &line)
        {
            QString text = QString::fromUtf8(line.left(QuotedBytes));
            text.replace(u'\t', u"\\t"_s);
            return u"\"%1%2\""_s.arg(text, line.size() > QuotedBytes ? u"..."_s : QString());
        }

        bool isWhiteOrControl(char c)
        {
            const auto u = static_cast<unsigned char>(c);
            return u <= 0x20 || u == 0x7f;
        }
    }

    IdsFileReader::IdsFileReader(const QString &path) : m_path {path}, m_file {path} {}

    Status IdsFileReader::open()
    {
        if (m_path.isEmpty())
            return ApiError::invalidArgument(u"give the ids file: --ids FILE (what aqueduct publish --ids-out wrote)"_s);
        if (!m_file.exists())
            return ApiError::invalidArgument(u"%1: no such file"_s.arg(m_path));
        if (!m_file.open(QIODevice::ReadOnly))
            return ApiError::invalidArgument(u"%1: cannot read it: %2"_s.arg(m_path, m_file.errorString()));
        m_lineNumber = 0;
        return Ok {};
    }

    ApiError IdsFileReader::lineError(const QString &what) const
    {
        return ApiError::invalidArgument(u"%1, line %2: %3"_s.arg(m_path).arg(m_lineNumber).arg(what));
    }

    Result<bool> IdsFileReader::next(IdsLine *line)
    {
        while (true) {
            if (m_file.atEnd())
                return false;
            QByteArray text = m_file.readLine(MaxLineBytes + 2);
            ++m_lineNumber;
            if (text.isEmpty() && m_file.error() != QFileDevice::NoError)
                return ApiError::invalidArgument(u"%1, line %2: cannot read it: %3"_s.arg(m_path).arg(m_lineNumber).arg(m_file.errorString()));
            const bool ended = text.endsWith('\n');
            if (ended)
                text.chop(1);
            else if (!m_file.atEnd())
                return lineError(u"the line is longer than %1 bytes; is this an ids file from aqueduct publish --ids-out?"_s.arg(MaxLineBytes));
            if (text.endsWith('\r'))
                text.chop(1);
            if (text.trimmed().isEmpty())
                continue;

            const qsizetype tab = text.indexOf('\t');
            if (tab < 0)
                return lineError(u"expected MESSAGE_ID<TAB>EVENT_ID (as aqueduct publish --ids-out writes it), got %1"_s.arg(quoted(text)));
            if (text.indexOf('\t', tab + 1) >= 0)
                return lineError(u"more than one tab; expected MESSAGE_ID<TAB>EVENT_ID, got %1"_s.arg(quoted(text)));
            QByteArray messageId = text.left(tab);
            if (messageId.isEmpty())
                return lineError(u"the message ID (before the tab) is empty"_s);
            if (std::any_of(messageId.cbegin(), messageId.cend(), isWhiteOrControl))
                return lineError(u"the message ID %1 contains white space or control characters"_s.arg(quoted(messageId)));
            QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
            (void)decoder.decode(text);
            if (decoder.hasError())
                return lineError(u"not valid UTF-8"_s);
            line->number = m_lineNumber;
            line->messageId = std::move(messageId);
            line->eventId = text.mid(tab + 1);
            return true;
        }
    }
}
