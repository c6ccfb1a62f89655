#include "ui/rows/exportfile.h"

#include <QCoreApplication>
#include <QSaveFile>

namespace Aq::Ui
{
    ExportFile::ExportFile(QString path)
        : m_path {std::move(path)}
    {
    }

    ExportFile::~ExportFile()
    {
        discard();
    }

    Status ExportFile::open()
    {
        m_file = std::make_unique<QSaveFile>(m_path);
        if (!m_file->open(QIODevice::WriteOnly))
            return failure();
        return Ok {};
    }

    Status ExportFile::write(const QByteArray &bytes)
    {
        if (!m_file)
            return ApiError::failedPrecondition(QCoreApplication::translate("ExportFile", "%1 is not open").arg(m_path));
        if (bytes.isEmpty() || m_file->write(bytes) == bytes.size())
            return Ok {};
        return failure();
    }

    Status ExportFile::commit()
    {
        if (!m_file || !m_file->commit())
            return failure();
        m_file.reset();
        return Ok {};
    }

    void ExportFile::discard()
    {
        if (!m_file)
            return;
        m_file->cancelWriting();
        m_file.reset();   // without commit(): the temporary file goes, the target stays as it was
    }

    Status ExportFile::failure()
    {
        const QString reason = m_file ? m_file->errorString() : QString();
        discard();
        return ApiError::internal(QCoreApplication::translate("ExportFile", "Cannot write %1: %2").arg(m_path, reason));
    }
}
