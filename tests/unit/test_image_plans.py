"""Which pictures a product write sends, keeps and deletes, per store (pure logic)."""

from __future__ import annotations

from unopim_desktop.domain import StoreImage
from unopim_desktop.stores.bigcommerce.images import plan_images
from unopim_desktop.stores.woocommerce.lost_answers import reuse_shown

U = "https://pim.example.com/storage/product/1/"


def bc_image(image_id: int, name: str, order: int, thumb: bool = False) -> dict:
    return {"id": image_id, "image_file": f"{name[0]}/{image_id:03d}/{name}__17963{image_id}.png",
            "sort_order": order, "is_thumbnail": thumb}


def test_bigcommerce_keeps_what_it_holds_sends_what_it_lacks_and_deletes_copies_and_leftovers():
    wanted = [StoreImage(src=U + "mug.png", position=0), StoreImage(src=U + "mug-3.png", position=1),
              StoreImage(src=U + "mug-new.png", position=2, alt="New")]
    current = [bc_image(1, "mug", 0, True), bc_image(2, "mug-1", 1), bc_image(3, "mug-3", 2),
               bc_image(4, "mug", 3)]  # mug-1 left out in UnoPim; a second copy of mug from a lost answer
    plan = plan_images(wanted, current)
    assert plan.kept == [1, 3]
    assert plan.fix == [(3, {"is_thumbnail": False, "sort_order": 1})]
    assert plan.add == [{"image_url": U + "mug-new.png", "is_thumbnail": False, "sort_order": 2, "description": "New"}]
    assert sorted(plan.drop) == [2, 4]


def test_bigcommerce_with_the_list_already_in_place_does_nothing():
    wanted = [StoreImage(src=U + "mug.png", position=0), StoreImage(src=U + "mug-1.png", position=1)]
    plan = plan_images(wanted, [bc_image(7, "mug", 0, True), bc_image(8, "mug-1", 1)])
    assert plan.nothing_to_do and plan.kept == [7, 8]


def test_bigcommerce_with_no_picture_left_in_unopim_deletes_them_all():
    plan = plan_images([], [bc_image(7, "mug", 0, True), bc_image(8, "mug-1", 1)])
    assert (plan.add, plan.kept, sorted(plan.drop)) == ([], [], [7, 8])


def test_woocommerce_reuses_the_attachments_it_shows_exact_names_before_wordpress_renames():
    site = "https://shop.example.com/wp-content/uploads/2026/12/"
    shown = [{"id": 11, "src": site + "mug-1.png"}, {"id": 12, "src": site + "cup.png"},
             {"id": 13, "src": site + "mug-4.png"}]  # mug-4: WordPress's rename of a second "mug.png"
    sent = [{"src": U + "mug.png"}, {"src": U + "mug-1.png", "alt": "Side"}, {"src": U + "mug-9.png"}]
    assert reuse_shown(sent, shown) == [{"id": 13}, {"id": 11, "alt": "Side"}, {"src": U + "mug-9.png"}]
    assert sent[0] == {"src": U + "mug.png"}  # the caller's bodies are left as they were
