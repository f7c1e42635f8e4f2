// A minimal intrusive doubly linked list (the nodes live in their owners,
// typically waiting futures, so waiting allocates nothing). Not
// synchronised: the owner of the list guards it.
#pragma once

namespace kyoto::detail {

struct list_node {
  list_node* prev = nullptr;
  list_node* next = nullptr;
  bool linked = false;
};

class intrusive_list {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  list_node* front() const noexcept { return head_; }

  void push_back(list_node* n) noexcept {
    n->prev = tail_;
    n->next = nullptr;
    if (tail_) {
      tail_->next = n;
    } else {
      head_ = n;
    }
    tail_ = n;
    n->linked = true;
  }

  list_node* pop_front() noexcept {
    list_node* n = head_;
    if (n) remove(n);
    return n;
  }

  void remove(list_node* n) noexcept {
    if (n->prev) {
      n->prev->next = n->next;
    } else {
      head_ = n->next;
    }
    if (n->next) {
      n->next->prev = n->prev;
    } else {
      tail_ = n->prev;
    }
    n->prev = n->next = nullptr;
    n->linked = false;
  }

 private:
  list_node* head_ = nullptr;
  list_node* tail_ = nullptr;
};

}  // namespace kyoto::detail
