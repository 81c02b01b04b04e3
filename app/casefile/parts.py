"""What a case file holds, read from the case as it stood when it was archived, as `Source`s in
the file's order: the application form and its attachments, every issued letter as stored,
the proofs of service, the consultation opinions, the review and sign-off records, the
communication log and the timeline.

Records are read up to the archiving event (events by sequence, letters by their event, the
rest by time), so a file built after later events (a reopening) still shows the case as it
was archived. PDF attachments go in as stored, images as a page of their own; other formats
(OFD) are listed in the index and placed in the ZIP only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from app.casefile import repository
from app.casefile.assembly import Source
from app.casefile.records import CaseReader, fmt_day, fmt_time, local_day
from app.casefile.schemas import ImageSheet, RecordSection
from app.letters.builders import DELIVERY_FORM_LABELS, DELIVERY_METHOD_LABELS
from app.letters.kinds import kind_info
from app.models import Case, CaseFile, ReleasedDocument
from app.runtime import Runtime
from app.validation.identity import ID_TYPES
from app.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, RECEIPT_BASIS_LABELS

IMAGE_TYPES = {"image/jpeg", "image/png"}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class Collector(CaseReader):
    """The file's documents: the application, its attachments, the letters, then the records."""

    # -- the parts ---------------------------------------------------------------------------

    def collect(self) -> list[Source]:
        """Every document of the file, in order."""
        sources = [self.application(), *self.attachments(), *self.letters()]
        for part in (
            self.service(),
            self.consultations(),
            self.review(),
            self.communications(),
        ):
            if part is not None:
                sources.append(part)
        sources.append(self.timeline())
        return sources

    def application(self) -> Source:
        c = self.case
        applicant = [
            ("申请人类别", CATEGORY_LABELS.get(c.applicant_category, c.applicant_category)),  # type: ignore[call-overload]
            ("申请人", c.applicant_name),
            ("证件类型", ID_TYPES.get(c.applicant_id_type, c.applicant_id_type)),
            ("证件号码", c.applicant_id_number),
            ("联系电话", c.applicant_phone),
            ("电子邮箱", c.applicant_email or "—"),
            ("通信地址", c.applicant_address or "—"),
            ("邮政编码", c.applicant_postal_code or "—"),
        ]
        if c.applicant_legal_representative:
            applicant.append(("法定代表人", c.applicant_legal_representative))
        if c.applicant_contact_person:
            applicant.append(("联系人", c.applicant_contact_person))
        receipt = [
            ("申请登记号", c.number),
            ("提交方式", CHANNEL_LABELS.get(c.channel, c.channel)),  # type: ignore[call-overload]
            ("到达时间", fmt_time(c.arrived_at, self.tz)),
            ("收到申请日期", fmt_day(c.receipt_date)),
            (
                "认定依据",
                RECEIPT_BASIS_LABELS.get(c.receipt_basis, c.receipt_basis)  # type: ignore[call-overload]
                if c.receipt_basis
                else "—",
            ),
            ("收到凭证", c.receipt_evidence or "—"),
            ("获取信息的方式", DELIVERY_FORM_LABELS.get(c.delivery_form, c.delivery_form)),
            ("送达方式", DELIVERY_METHOD_LABELS.get(c.delivery_method, c.delivery_method)),
            ("同意电子送达", "是" if c.e_service_consent else "否"),
        ]
        items = repository.items(self.session, c.id)
        html = self._sheet(
            "政府信息公开申请表",
            [
                RecordSection(heading="申请人", fields=applicant),
                RecordSection(
                    heading="所需政府信息",
                    headers=["序号", "信息描述", "文号"],
                    rows=[
                        [str(i.position), i.description, i.document_number or "—"] for i in items
                    ],
                ),
                RecordSection(heading="收件", fields=receipt),
            ],
        )
        return Source(
            "application",
            "政府信息公开申请表",
            "application",
            c.number,
            local_day(c.arrived_at, self.tz),
            html=html,
        )

    def attachments(self) -> list[Source]:
        out = []
        for n, a in enumerate(repository.attachments(self.session, self.case.id, self.until), 1):
            title = "补正材料" if a.purpose == "correction" else "申请附件"
            title = f"{title}：{a.filename}"
            on = local_day(a.created_at, self.tz)
            slug = f"attachment-{n}"
            data = self.rt.store.read(a.sha256)
            if a.content_type == "application/pdf":
                out.append(Source("attachment", title, slug, on=on, pdf=data))
            elif a.content_type in IMAGE_TYPES:
                sheet = ImageSheet(
                    title=title.split("：")[0],
                    case_number=self.case.number,
                    filename=a.filename,
                    sha256=a.sha256,
                )
                html = self.rt.letter_templates.render("casefile_image.html", doc=sheet)
                out.append(
                    Source(
                        "attachment",
                        title,
                        slug,
                        on=on,
                        html=html,
                        note="图片转为一页 PDF，原件另存于 ZIP / the image as a page; the original is in the ZIP",
                    )
                )
                out.append(
                    Source(
                        "attachment_original",
                        f"{title}（原件）",
                        f"{slug}-original",
                        on=on,
                        raw=data,
                        ext=EXTENSIONS[a.content_type],
                        note="原件，仅存于 ZIP / the original, in the ZIP only",
                    )
                )
            else:
                ext = "." + (a.filename.rsplit(".", 1)[-1].lower() if "." in a.filename else "bin")
                if not ext[1:].isalnum() or len(ext) > 6:
                    ext = ".bin"
                out.append(
                    Source(
                        "attachment",
                        title,
                        slug,
                        on=on,
                        raw=data,
                        ext=ext,
                        note="非 PDF 格式，仅存于 ZIP / not a PDF or image, in the ZIP only",
                    )
                )
        return out

    def letters(self) -> list[Source]:
        """Every issued letter as stored, each followed by the released copies that went out
        with it (app.releases: the redacted copies as the applicant got them, with their
        遮盖说明 page; the originals, which hold what was withheld, never)."""
        issued = repository.issued_letters(self.session, self.case.id, self.row.event_id)
        released: dict[int, list[ReleasedDocument]] = {}
        for doc in repository.released_copies(self.session, [x.id for x in issued]):
            released.setdefault(doc.letter_id or 0, []).append(doc)
        out = []
        for letter in issued:
            if letter.pdf_sha256 is None:
                raise RuntimeError(f"letter {letter.id} has no PDF yet")
            out.append(
                Source(
                    "letter",
                    kind_info(letter.kind).title,
                    f"letter-{letter.kind.replace('_', '-')}-{letter.id}",
                    number=letter.number,
                    on=letter.letter_date,
                    pdf=self.rt.store.read(letter.pdf_sha256),
                )
            )
            out += [
                self._released(doc, letter.number, letter.letter_date)
                for doc in released.get(letter.id, [])
            ]
        return out

    def _released(self, doc: ReleasedDocument, number: str | None, on: date | None) -> Source:
        assert doc.released_sha256 is not None
        return Source(
            "released",
            f"公开文件：{doc.title}",
            f"released-{doc.id}",
            number=number,
            on=on,
            pdf=self.rt.store.read(doc.released_sha256),
            note="随答复提供的公开文本（已遮盖） / the released copy sent with the reply",
        )


def collect(
    session: Session, rt: Runtime, row: CaseFile, case: Case, organ: str
) -> Sequence[Source]:
    """The file's documents in order (the index is made from them)."""
    return Collector(session, rt, row, case, organ).collect()
