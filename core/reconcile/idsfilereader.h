#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include "core/common/result.h"

namespace Aq::Reconcile
{
    // One line of an `aqueduct publish --ids-out` file: MESSAGE_ID<TAB>EVENT_ID.
    struct IdsLine
    {
        qint64 number = 0;       // 1-based line number in the file
        QByteArray messageId;    // never empty
        QByteArray eventId;      // UTF-8; empty when the published event had no key field
    };

    // Streams an ids file a line at a time, so a run of millions of events never sits in memory as text.
    // Every error names the file, and the line when one is at fault:
    //   "run1.ids, line 7: expected MESSAGE_ID<TAB>EVENT_ID (as aqueduct publish --ids-out writes it), got \"abc\""
    // Blank lines are skipped; a trailing CR (a file edited on Windows) is ignored. A line must have exactly one
    // tab, a message ID without white space, and be valid UTF-8 of at most MaxLineBytes bytes.
    class IdsFileReader
    {
    public:
        static constexpr qsizetype MaxLineBytes = 64 * 1024;

        explicit IdsFileReader(const QString &path);

        QString path() const { return m_path; }
        Status open();
        // The next line in `line`; false at the end of the file.
        Result<bool> next(IdsLine *line);

    private:
        ApiError lineError(const QString &what) const;

        QString m_path;
        QFile m_file;
        qint64 m_lineNumber = 0;
    };
}
